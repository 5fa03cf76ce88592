// better-sqlite3 loading its native addon from a build made for the Node that runs the mutation
// tests (scripts/mutate.js builds it; the one in node_modules is built for the project's Node).
import { createRequire } from 'node:module';
import process from 'node:process';

const Database = createRequire(import.meta.url)('better-sqlite3');
const nativeBinding = process.env.WARDEN_MUTATE_SQLITE_BINDING;

export default class DatabaseOnThisNode extends Database {
  constructor(filename, options) {
    super(filename, { ...options, nativeBinding });
  }
}
