// Builds a self-contained archive that runs bench/webgpu.ts on a GPU machine with no Node, no
// registry and no package manager (docs/backends.md, "A GPU machine without Node"):
//   node --conditions=@cmcrd/source --import tsx bench/gpu-bundle.ts [out.tar]   (default: cmcrd-gpu.tar)
// The archive (≤ 64 MiB, checked here) holds:
//   node.xz                 this machine's Node binary, xz-compressed (linux-x64)
//   lib/bench/*.js          the bench, the fold steps and the fold worker, bundled by esbuild (ESM, shared chunks)
//   node_modules/webgpu     Dawn's binding: index.js + dist/linux-x64/dawn.node (loaded by path, so not bundled)
//   node_modules/better-sqlite3, bindings, file-uri-to-path   the store's native module
//   migrations/, sweeps/paper.yaml   what the store and the dry-run estimate read at run time
//   debs/libvulkan1_*.deb   the Vulkan loader (apt-get download; unpacked with dpkg -x, no root needed)
//   run.sh                  unpacks node and the loader, sets LD_LIBRARY_PATH and XDG_RUNTIME_DIR, runs the bench
// The GPU's own Vulkan driver (NVIDIA: nvidia_icd.json and libGLX_nvidia.so.0, part of its driver)
// must be on the GPU machine; run.sh says so when `cmcrd list` would find no adapter.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const LIMIT = 64 * 2 ** 20;
const here = dirname(fileURLToPath(import.meta.url));
const runner = resolve(here, '..');
const root = resolve(runner, '../..');
const out = resolve(process.argv[2] ?? 'cmcrd-gpu.tar');
if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('gpu-bundle: build it on linux-x64 (the GPU machine\'s platform)');

const stage = join(mkdtempSync(join(tmpdir(), 'cmcrd-gpu-')), 'cmcrd-gpu');
mkdirSync(join(stage, 'lib/bench'), { recursive: true });

// 1. The bench and the two scripts it starts as processes (steps, fold worker), as ESM with shared chunks.
await build({
  entryPoints: { webgpu: join(here, 'webgpu.ts'), steps: join(here, 'steps.ts'), worker: join(runner, 'src/worker.ts') },
  outdir: join(stage, 'lib/bench'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['@cmcrd/source'],
  external: ['webgpu', 'better-sqlite3', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  // CommonJS dependencies inside an ESM bundle call require(): give them one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
writeFileSync(join(stage, 'lib/package.json'), '{ "type": "module" }\n');

// 2. Native modules, with only the files they load.
const requireFrom = (from: string) => createRequire(join(from, 'package.json'));
const pkgDir = (name: string, from: string) => dirname(realpathSync(requireFrom(from).resolve(`${name}/package.json`)));
const webgpu = pkgDir('webgpu', resolve(runner, '../core'));
for (const f of ['package.json', 'index.js', 'dist/linux-x64/dawn.node']) cpSync(join(webgpu, f), join(stage, 'node_modules/webgpu', f));
const sqlite = pkgDir('better-sqlite3', runner);
for (const f of ['package.json', 'lib', 'build/Release/better_sqlite3.node']) cpSync(join(sqlite, f), join(stage, 'node_modules/better-sqlite3', f), { recursive: true });
const bindings = pkgDir('bindings', sqlite);
cpSync(bindings, join(stage, 'node_modules/bindings'), { recursive: true });
cpSync(pkgDir('file-uri-to-path', bindings), join(stage, 'node_modules/file-uri-to-path'), { recursive: true });

// 3. What is read at run time.
cpSync(join(runner, 'migrations'), join(stage, 'migrations'), { recursive: true });
cpSync(join(root, 'sweeps/paper.yaml'), join(stage, 'sweeps/paper.yaml'));

// 4. Node, compressed; the Vulkan loader's package from Debian's archive.
execFileSync('sh', ['-c', `xz -9e -T0 -c "${process.execPath}" > "${join(stage, 'node.xz')}"`]);
mkdirSync(join(stage, 'debs'));
execFileSync('apt-get', ['download', 'libvulkan1'], { cwd: join(stage, 'debs'), stdio: ['ignore', 'ignore', 'inherit'] });

writeFileSync(
  join(stage, 'run.sh'),
  `#!/bin/sh
# Runs the webgpu bench on this machine's GPU: ./run.sh [--tiny]
set -eu
cd "$(dirname "$0")"
[ -x bin/node ] || { mkdir -p bin && xz -dc node.xz > bin/node && chmod +x bin/node; }
if [ ! -e vulkan/usr/lib/x86_64-linux-gnu/libvulkan.so.1 ]; then
  for d in debs/*.deb; do dpkg -x "$d" vulkan 2>/dev/null || (mkdir -p x && cd x && ar x "../$d" && tar -xf data.tar.* -C ../vulkan && cd .. && rm -rf x); done
fi
export LD_LIBRARY_PATH="$PWD/vulkan/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export XDG_RUNTIME_DIR="\${XDG_RUNTIME_DIR:-/tmp/xdg-runtime-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1 || echo "run.sh: no Vulkan driver manifest (ICD) found: the GPU's Vulkan driver (NVIDIA: nvidia_icd.json) must be installed" >&2
export CMCRD_PAPER_SWEEP="$PWD/sweeps/paper.yaml"
exec bin/node lib/bench/webgpu.js "$@"
`,
  { mode: 0o755 },
);

execFileSync('tar', ['-cf', out, '-C', dirname(stage), 'cmcrd-gpu']);
const size = statSync(out).size;
const list = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(join(d, e.name)) : [join(d, e.name)]));
console.log(`${out}: ${(size / 2 ** 20).toFixed(1)} MiB (limit 64 MiB), ${list(stage).length} files`);
if (size > LIMIT) {
  console.error('gpu-bundle: over 64 MiB');
  process.exit(1);
}
