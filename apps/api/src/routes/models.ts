import { ModelArtifactError, ModelNotFoundError, storedModel } from '@cmcrd/store/read';
import { UnexportableModelError, exportFiles } from '@cmcrd/reports';
import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { zipSync } from 'fflate';
import type { ApiContext } from '../context.js';
import { errorJson } from '../errors.js';
import { FoldModelInfoSchema, FoldTestWindowsSchema } from '../contract/index.js';
import { IdParam, errorResponse } from '../schemas.js';

const FILE_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
};

/**
 * A fold's exported model (`cmcrd export`, built from the stored weights, no TensorFlow.js): the
 * whole export as a zip, or one of its files, so that `tf.loadGraphModel` in a browser can load
 * `/api/folds/{id}/model/model.json` (its weight shard sits beside it).
 */
export function registerModelRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  const exportOf = (id: number) => {
    const { fold, artifact } = storedModel(ctx.store, id);
    return { files: exportFiles(artifact, fold), artifact };
  };
  const failure = (c: Parameters<Parameters<typeof app.openapi>[1]>[0], id: number, e: unknown) => {
    if (e instanceof ModelNotFoundError) return errorJson(c, 404, { error: 'not found', message: e.message, parameter: 'id', in: 'param' });
    if (e instanceof UnexportableModelError || e instanceof ModelArtifactError) {
      return errorJson(c, 422, { error: 'not exportable', message: `fold ${id}: ${e.message}`, parameter: 'id', in: 'param' });
    }
    throw e;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/folds/{id}/model',
      summary:
        "A fold's trained model as a zip: a TensorFlow.js graph model (model.json + weights), preprocess.json and MODEL_CARD.md (as cmcrd export writes them)",
      request: { params: IdParam },
      responses: {
        200: { description: 'the zip', content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } } },
        400: errorResponse('a parameter is invalid (named in the body)'),
        404: errorResponse('no such fold, or the fold was stored without its model'),
        422: errorResponse('the stored model cannot be exported (named in the body)'),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      try {
        const { files } = exportOf(id);
        const folder = `cmcrd-fold-${id}-model`;
        const zip = zipSync(Object.fromEntries([...files].map(([name, bytes]) => [`${folder}/${name}`, bytes])), { level: 6, mtime: new Date('2000-01-01T00:00:00Z') });
        return c.body(zip as unknown as ArrayBuffer, 200, {
          'content-type': 'application/zip',
          'content-disposition': `attachment; filename="${folder}.zip"`,
        }) as never;
      } catch (e) {
        return failure(c, id, e);
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/folds/{id}/model/{file}',
      summary: "One file of a fold's exported model (model.json, its weight shard, preprocess.json, MODEL_CARD.md): what tf.loadGraphModel fetches",
      request: {
        params: IdParam.extend({ file: z.string().regex(/^[\w.-]+$/).openapi({ example: 'model.json' }) }),
      },
      responses: {
        200: { description: 'the file', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
        400: errorResponse('a parameter is invalid (named in the body)'),
        404: errorResponse('no such fold or file, or the fold was stored without its model'),
        422: errorResponse('the stored model cannot be exported (named in the body)'),
      },
    }),
    (c) => {
      const { id, file } = c.req.valid('param');
      try {
        const { files } = exportOf(id);
        const bytes = files.get(file);
        if (!bytes) {
          return errorJson(c, 404, { error: 'not found', message: `the export has no file '${file}' (files: ${[...files.keys()].join(', ')})`, parameter: 'file', in: 'param' });
        }
        const ext = file.slice(file.lastIndexOf('.'));
        return c.body(bytes as unknown as ArrayBuffer, 200, { 'content-type': FILE_TYPES[ext] ?? 'application/octet-stream' }) as never;
      } catch (e) {
        return failure(c, id, e);
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/folds/{id}/test-windows',
      summary:
        "A fold's test windows as recorded (raw features of its model's modality, before the z-score) and their labels: the dashboard's Try-it panel runs the exported model on them",
      request: { params: IdParam },
      responses: {
        200: {
          description: 'the windows',
          content: {
            'application/json': {
              schema: FoldTestWindowsSchema,
            },
          },
        },
        400: errorResponse('a parameter is invalid (named in the body)'),
        404: errorResponse('no such fold, the fold has no stored model, or its data is not here'),
        422: errorResponse('the stored model cannot be read (named in the body)'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      try {
        const { artifact } = storedModel(ctx.store, id);
        // Rebuilding a split loads the dataset code: only when a test split is asked for.
        const { foldTestWindows } = await import('@cmcrd/reports/test-split');
        return c.json(foldTestWindows(ctx.store.getFold(id)!, artifact.architecture.modality), 200);
      } catch (e) {
        if (e instanceof Error && e.name === 'DatasetNotImportedError') {
          return errorJson(c, 404, { error: 'not found', message: e.message, parameter: 'id', in: 'param' });
        }
        return failure(c, id, e);
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/folds/{id}/model-info',
      summary: "Whether a fold has a stored model, and what it reads (200 either way, for the dashboard's drill-down)",
      request: { params: IdParam },
      responses: {
        200: {
          description: 'the stored model, or why there is none',
          content: {
            'application/json': {
              schema: FoldModelInfoSchema,
            },
          },
        },
        400: errorResponse('a parameter is invalid (named in the body)'),
        404: errorResponse('no such fold'),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      if (!ctx.store.getFold(id)) return errorJson(c, 404, { error: 'not found', message: `no fold ${id}`, parameter: 'id', in: 'param' });
      try {
        const { artifact } = storedModel(ctx.store, id);
        const a = artifact.architecture;
        return c.json({ fold: id, stored: true, modelId: artifact.modelId, backbone: a.backbone, modality: a.modality, normalisation: artifact.preprocess.normalisation, backend: artifact.provenance.backend }, 200);
      } catch (e) {
        if (e instanceof ModelNotFoundError) return c.json({ fold: id, stored: false, reason: e.message }, 200);
        throw e;
      }
    },
  );
}
