// The IVR's public surface: the pure call flow, its prompt catalog, and the media mapping.
export * from './flow.js';
export * from './prompts.js';
export * from './media.js';
export * from './menu-prompts.js';
