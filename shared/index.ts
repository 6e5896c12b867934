export * from './errors';
export * from './paths';
export * from './connectors';
export * from './profiles';
export * from './transfers';
export * from './api';
export * from './table';
export * from './tasks';
