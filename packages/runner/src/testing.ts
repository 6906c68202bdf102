// The fixture helpers moved with the store (@cmcrd/store/testing); the runner's tests keep this path.
export * from '@cmcrd/store/testing';
