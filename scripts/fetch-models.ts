// Puts the configured detector, embedder and anti-spoofing models into MODELS_DIR, verified by sha256.
import { loadConfig } from '../src/config/config.js';
import { configuredModels, ensureModelFile } from '../src/face/models/model-files.js';
import { runMain } from '../src/runtime/main.js';

runMain('models:fetch', async () => {
  const config = loadConfig();
  for (const model of configuredModels(config.face)) {
    const source = await ensureModelFile(model, config.modelsMirrorDir);
    console.log(`${model.id}: ${model.path} (${source})`);
  }
});
