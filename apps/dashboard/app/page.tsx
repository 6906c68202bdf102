export default function HomePage() {
  return (
    <main>
      <h1>CMCRD Lab</h1>
      <p>
        This dashboard will show the experiments of the CMCRD lab: cross-modal contrastive representation
        distillation between EEG and eye-movement models, compared with the classical knowledge-distillation
        baselines. The comparison tables, significance tests, ablation grids, per-fold drill-down, training
        curves and embeddings arrive together with the HTTP API that serves them from the results store; until
        then there is nothing to display, and no numbers are shown here.
      </p>
    </main>
  );
}
