/** Ferry's version, in a module of its own so `ferry --version` can print it without loading the core. */
export const FERRY_VERSION = '0.1.0';
