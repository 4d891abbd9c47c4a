import { z } from 'zod';
import { PROBLEM_CODES, type Problem, type ProblemCode } from '../sessions/problems.js';

export { PROBLEM_CODES, PROBLEM_TYPES, Problem, problems, type ProblemCode } from '../sessions/problems.js';

/** The HTTP form of a problem: RFC 9457 `application/problem+json`. */
export const problemSchema = z
  .object({
    type: z.string().describe('URI reference naming the problem type; stable per `code`'),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(PROBLEM_CODES as [ProblemCode, ...ProblemCode[]]).describe('Stable machine-readable error code'),
    detail: z.string().optional(),
    instance: z.string().optional(),
  })
  .describe('RFC 9457 problem details')
  .meta({ id: 'Problem' });

export type ProblemBody = z.infer<typeof problemSchema>;

export function problemBody(problem: Problem, instance?: string): ProblemBody {
  return {
    type: `/problems/${problem.code}`,
    title: problem.title,
    status: problem.status,
    code: problem.code,
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...(instance ? { instance } : {}),
  };
}

