// Puts the configured detector, embedder and anti-spoofing models into MODELS_DIR, verified by sha256.
import { loadConfig } from '../src/config/config.js';
import { configuredModels, ensureModelFile } from '../src/devstack/model-files.js';
import { defaultMirrorDir } from '../src/devstack/paths.js';
import { runMain } from '../src/runtime/main.js';

runMain('models:fetch', async () => {
  const config = loadConfig();
  for (const model of configuredModels(config.face)) {
    const source = await ensureModelFile(model, process.env.MODELS_MIRROR_DIR ?? defaultMirrorDir());
    console.log(`${model.id}: ${model.path} (${source})`);
  }
});
