// The /api/models endpoints, through the shared client (ctx.api.request: errors → ApiError).

const base = (id) => `/api/models/${encodeURIComponent(id)}`;

/** GET /api/models → {models: [{id, name, input_shape, accuracy, params, conv_layers}]} */
export const listModels = (api, opts) => api.getJson("/api/models", opts);

/** GET /api/models/{id} → the summary plus layers (name, type, output_shape, params). */
export const getModel = (api, id, opts) => api.getJson(base(id), opts);

/** GET /api/models/{id}/filters?layer= → {shape, weights[FN][C][FH][FW], bias[FN], grid}. */
export const getFilters = (api, id, layer, opts) =>
  api.getJson(`${base(id)}/filters?${new URLSearchParams({ layer })}`, opts);

/** POST /api/models/{id}/predict with an image Blob (multipart `image`). */
export async function predictImage(api, id, blob, { signal, name = "digit.png" } = {}) {
  const form = new FormData();
  form.append("image", blob, name);
  const res = await api.request(`${base(id)}/predict`, { method: "POST", body: form, signal });
  return res.json();
}
