import path from 'node:path';
import { REPO_ROOT } from '../src/runtime/app-root.js';

/** Real models and media live beside the checkout in shared/; they are never copied in. */
export const MODELS_DIR = path.resolve(process.env.MODELS_DIR ?? path.join(REPO_ROOT, '..', 'shared', 'models'));
export const FIXTURES_DIR = path.resolve(process.env.FIXTURES_DIR ?? path.join(REPO_ROOT, '..', 'shared', 'fixtures', 'faces'));
export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'prisma', 'migrations');

export const fixture = (name: string) => path.join(FIXTURES_DIR, name);
