/**
 * Payment channels ("lightning") for PowerLAN — browser-safe entry point.
 * Node-only pieces: ./store.ts (durable JSON file store), ./nativeCrypto.ts (libsecp256k1),
 * ./watchtower.ts, ./hubServer.ts (the hub service inside the app's server).
 * See contracts/interfaces/IPaymentChannels.sol.
 */
export * from "./eip712.ts";
export * from "./htlc.ts";
export * from "./payouts.ts";
export * from "./client.ts";
export * from "./hub.ts";
export * from "./stream.ts";
export * from "./market.ts";
export * from "./browserStore.ts";
export * from "./hubProtocol.ts";
export * from "./hubService.ts";
export * from "./householdHub.ts";
