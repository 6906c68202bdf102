/** SEED's EEG features: 62 channels × 5 bands (δ θ α β γ), channel-major: index = channel·5 + band. */
export const EEG_CHANNELS = 62;
export const EEG_BANDS = 5;
export const EEG_DIM = EEG_CHANNELS * EEG_BANDS;
