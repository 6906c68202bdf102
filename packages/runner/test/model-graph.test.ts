import { graphParityTests, graphStaticTests } from './model-graph-shared.js';

// The hand-written graph models (src/model/graph-backbones.ts) against the backbones they mirror,
// on the cpu backend (model-graph-wasm.test.ts: the same on wasm).
graphParityTests('cpu');
graphStaticTests();
