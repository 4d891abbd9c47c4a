/**
 * Every model file the service knows: id, file name, sha256, where it comes from, and the edit
 * made to it at load (face/models/model-variants.ts). The configuration's defaults, the fetcher
 * (`npm run models:fetch`) and the loader all read this one list.
 */
export type ModelVariant = 'dynamic-size' | 'batch-dynamic';

export interface CatalogueModel {
  id: string;
  file: string;
  sha256: string;
  url: string;
  /** The edit the loader makes to this exact file (by checksum); none for others. */
  variant?: ModelVariant;
}

export const YUNET_2023MAR: CatalogueModel = {
  id: 'yunet-2023mar',
  file: 'face_detection_yunet_2023mar.onnx',
  sha256: '8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4',
  url: 'https://github.com/opencv/opencv_zoo/raw/main/models/face_detection_yunet/face_detection_yunet_2023mar.onnx',
  variant: 'dynamic-size',
};

export const MOBILEFACENET: CatalogueModel = {
  id: 'mobilefacenet-foamliu-128',
  file: 'MobileFaceNet.onnx',
  sha256: 'b7120c095d60094f28a4a54ba6a8bf51b297a6273fb40ef6350dfec1f63d9507',
  url: 'https://github.com/foamliu/MobileFaceNet/raw/a6cc9032a659b615f477833e1a70b5e7931bcccc/weights/MobileFaceNet.onnx',
  variant: 'batch-dynamic',
};

export const MINIFASNET_V2: CatalogueModel & { scale: number } = {
  id: 'minifasnet-v2-2.7',
  file: '2.7_80x80_MiniFASNetV2.onnx',
  sha256: '4433e871ef03f6c4c13de1757e63dcd69db14b6d7d9cff2319cb274c0f6dbecb',
  url: 'https://github.com/marcos4758/Silent-Face-Anti-Spoofing-Tests/raw/1557f99a6ca5d485763cc42d42b614a72a3ede7c/resources/anti_spoof_models/2.7_80x80_MiniFASNetV2.onnx',
  variant: 'batch-dynamic',
  scale: 2.7,
};

export const MINIFASNET_V1SE: CatalogueModel & { scale: number } = {
  id: 'minifasnet-v1se-4.0',
  file: '4_0_0_80x80_MiniFASNetV1SE.onnx',
  sha256: 'a8e67ffbaf39fa74c3b2ed673b530fcfb2f47379d0f26a52b71c2fc6473ec20f',
  url: 'https://github.com/marcos4758/Silent-Face-Anti-Spoofing-Tests/raw/1557f99a6ca5d485763cc42d42b614a72a3ede7c/resources/anti_spoof_models/4_0_0_80x80_MiniFASNetV1SE.onnx',
  variant: 'batch-dynamic',
  scale: 4.0,
};

/** OpenCV Zoo's SFace, an embedder one configures instead of MobileFaceNet (docs/operate.md, "Swapping the embedder"). */
export const SFACE_2021DEC: CatalogueModel = {
  id: 'sface-2021dec',
  file: 'face_recognition_sface_2021dec.onnx',
  sha256: '0ba9fbfa01b5270c96627c4ef784da859931e02f04419c829e83484087c34e79',
  url: 'https://github.com/opencv/opencv_zoo/raw/main/models/face_recognition_sface/face_recognition_sface_2021dec.onnx',
};

export const MODEL_CATALOGUE: readonly CatalogueModel[] = [YUNET_2023MAR, MOBILEFACENET, MINIFASNET_V2, MINIFASNET_V1SE, SFACE_2021DEC];

/** The catalogue's entry of a file, by its checksum (what was verified is what is described). */
export function catalogued(sha256: string): CatalogueModel | undefined {
  return MODEL_CATALOGUE.find((m) => m.sha256 === sha256);
}
