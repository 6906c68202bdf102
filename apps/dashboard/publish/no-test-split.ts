// Stands in for @cmcrd/reports/test-split in a published site's bundle: a fold's test windows are
// rebuilt from the dataset, which a site does not carry (and whose code needs Node). The API answers
// 404 with this message, as on a server where the dataset is not imported.
export function foldTestWindows(): never {
  const e = new Error("this published site does not carry the datasets: a fold's test windows are rebuilt from them (run cmcrd serve where the data is)");
  e.name = 'DatasetNotImportedError';
  throw e;
}
