import { graphParityTests } from './model-graph-shared.js';

// As model-graph.test.ts, on the wasm backend (its patched kernels included).
graphParityTests('wasm');
