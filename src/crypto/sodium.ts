/**
 * libsodium (libsodium.js, the sumo build: WebAssembly, with the ristretto255 API of RFC 9496) made
 * ready once per thread. The top-level await compiles the WebAssembly module when this file is first
 * imported, on the main thread and in each OPRF worker thread alike, so every caller below sees a
 * ready library and stays synchronous.
 *
 * Use the default object only: the ESM build attaches its crypto_* functions to it when it becomes
 * ready, while its type declarations also name them as module exports that stay undefined.
 */
import sodium from 'libsodium-wrappers-sumo';

await sodium.ready;

export { sodium };
