// Entry of a wasm helper thread: registers tsx so the TypeScript body can be imported (worker
// threads do not inherit the parent's loaders).
import { register } from 'tsx/esm/api';

register();
await import('./helper-worker.ts');
