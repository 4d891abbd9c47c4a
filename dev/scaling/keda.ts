import { temporal } from '@temporalio/proto';
import type { WorkflowService } from '@temporalio/client';

/**
 * What KEDA's Temporal scaler (`type: temporal`, KEDA 2.17+) reads and computes, so a test can
 * prove the autoscaling signal on a real server: the scaler calls DescribeTaskQueue with stats
 * for the queue's task types and sums `approximateBacklogCount`; the HPA it feeds (target type
 * AverageValue = `targetQueueSize`) wants ceil(backlog / targetQueueSize) replicas, and KEDA
 * scales to zero when the backlog is at or below `activationTargetQueueSize`.
 */
export async function activityBacklog(service: WorkflowService, namespace: string, taskQueue: string): Promise<{ enhanced: number; stats: number }> {
  const { TaskQueueType, TaskQueueKind } = temporal.api.enums.v1;
  // ENHANCED mode, as the scaler's Go SDK call (DescribeTaskQueueEnhanced) asks: per version, per type.
  const enhanced = await service.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    apiMode: temporal.api.enums.v1.DescribeTaskQueueMode.DESCRIBE_TASK_QUEUE_MODE_ENHANCED,
    reportStats: true,
    taskQueueTypes: [TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
  });
  let sum = 0;
  for (const version of Object.values(enhanced.versionsInfo ?? {})) {
    for (const type of Object.values(version.typesInfo ?? {})) sum += Number(type.stats?.approximateBacklogCount ?? 0);
  }
  // The default mode's stats, which newer scalers read: the two must agree.
  const plain = await service.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    reportStats: true,
  });
  return { enhanced: sum, stats: Number(plain.stats?.approximateBacklogCount ?? 0) };
}

export interface ScaledObjectTrigger {
  targetQueueSize: number;
  activationTargetQueueSize: number;
  minReplicaCount: number;
  maxReplicaCount: number;
}

/** The replica count KEDA and the HPA settle on for `backlog` (ignoring the HPA's 10 % tolerance band). */
export function kedaReplicas(backlog: number, trigger: ScaledObjectTrigger): number {
  if (backlog <= trigger.activationTargetQueueSize) return trigger.minReplicaCount;
  const wanted = Math.ceil(backlog / trigger.targetQueueSize);
  return Math.min(trigger.maxReplicaCount, Math.max(1, trigger.minReplicaCount, wanted));
}
