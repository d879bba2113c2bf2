/**
 * The local devnet's cast: which of Hardhat's 20 dev accounts plays which role in the demo
 * energy LAN, and each participant's smart-meter key.
 *
 * SECURITY: every key in this file is PUBLIC. The account keys are Hardhat's well-known dev
 * accounts (mnemonic "test test … junk", path m/44'/60'/0'/0/i) and the meter keys are
 * keccak256("PowerLAN devnet meter <i>"). Anyone can spend from them on any chain: use them on
 * the local devnet (chain id 31337) only, never on a real network.
 *
 * Browser-safe on purpose (no Node imports): the app's dev-account picker, the seeding code
 * (lib/devnet/seed.ts) and the tests all read this one table. test/devnet/accounts.test.ts checks
 * that every address and key matches its derivation.
 */
import type { Address, Hex } from "viem";

/** Hardhat's public dev mnemonic (the node unlocks the first 20 accounts derived from it). */
export const HARDHAT_DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The seed phrase of meter key i: privateKey = keccak256(utf8Bytes(`${METER_KEY_LABEL} ${i}`)). */
export const METER_KEY_LABEL = "PowerLAN devnet meter";

/** Mirrors `IParticipantRegistry.Role` (the enum's numeric values). */
export const PARTICIPANT_ROLE = {
  None: 0,
  Prosumer: 1,
  Consumer: 2,
  Aggregator: 3,
  Validator: 4,
  DSO: 5,
  Regulator: 6,
} as const;
export type ParticipantRoleName = keyof typeof PARTICIPANT_ROLE;
export type ParticipantRoleValue = (typeof PARTICIPANT_ROLE)[ParticipantRoleName];

/** What a dev account does in the demo. `admin` deploys; `newcomer` is left unregistered on purpose. */
export type DevAccountKind =
  | "admin"
  | "regulator"
  | "dso"
  | "aggregator"
  | "validator"
  | "prosumer"
  | "consumer"
  | "newcomer";

/** One of Hardhat's public dev accounts (index, address, key) as it appears on the devnet. */
export interface DevAccount {
  /** Hardhat dev account index (0…19). */
  readonly index: number;
  readonly address: Address;
  /** Hardhat's PUBLIC dev key — devnet only. */
  readonly privateKey: Hex;
  readonly kind: DevAccountKind;
  /** Short name, e.g. "Household 1". */
  readonly name: string;
  /** One line for pickers and tables, e.g. "Household 1 — prosumer, 5 kWp PV". */
  readonly label: string;
  /** The role it is registered with in ParticipantRegistry, or null if not registered by the seed. */
  readonly registryRole: ParticipantRoleName | null;
  /** Feeder / zone number (0 when not registered). */
  readonly zone: number;
  /** Its smart meter's signing key (PUBLIC, devnet only); traders only (households, aggregator), else null. */
  readonly meter: { readonly address: Address; readonly privateKey: Hex } | null;
  /** Rooftop PV peak power in kWp (prosumers, aggregator), 0 otherwise. */
  readonly pvKWp: number;
  /** Member of the ValidatorCommittee. */
  readonly validator: boolean;
  /** May hold payment tokens and trade in the market (prosumer, consumer, aggregator). */
  readonly trader: boolean;
}

/** Hardhat's 20 public dev accounts: [address, PUBLIC private key]. */
const HARDHAT_KEYS: readonly (readonly [Address, Hex])[] = [
  ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"],
  ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"],
  ["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"],
  ["0x90F79bf6EB2c4f870365E785982E1f101E93b906", "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"],
  ["0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"],
  ["0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"],
  ["0x976EA74026E726554dB657fA54763abd0C3a0aa9", "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"],
  ["0x14dC79964da2C08b23698B3D3cc7Ca32193d9955", "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356"],
  ["0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f", "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97"],
  ["0xa0Ee7A142d267C1f36714E4a8F75612F20a79720", "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"],
  ["0xBcd4042DE499D14e55001CcbB24a551F3b954096", "0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897"],
  ["0x71bE63f3384f5fb98995898A86B02Fb2426c5788", "0x701b615bbdfb9de65240bc28bd21bbc0d996645a3dd57e7b12bc2bdf6f192c82"],
  ["0xFABB0ac9d68B0B445fB7357272Ff202C5651694a", "0xa267530f49f8280200edf313ee7af6b827f2a8bce2897751d06a843f644967b1"],
  ["0x1CBd3b2770909D4e10f157cABC84C7264073C9Ec", "0x47c99abed3324a2707c28affff1267e45918ec8c3f20b8aa892e8b065d2942dd"],
  ["0xdF3e18d64BC6A983f673Ab319CCaE4f1a57C7097", "0xc526ee95bf44d8fc405a158bb884d9d1238d99f0612e9f33d006bb0789009aaa"],
  ["0xcd3B766CCDd6AE721141F452C550Ca635964ce71", "0x8166f546bab6da521a8369cab06c5d2b9e46670292d85c875ee9ec20e84ffb61"],
  ["0x2546BcD3c84621e976D8185a91A922aE77ECEc30", "0xea6c44ac03bff858b476bba40716402b03e41b8e97e276d1baec7c37d42484a0"],
  ["0xbDA5747bFD65F08deb54cb465eB87D40e51B197E", "0x689af8efa8c651a91ad287602527f3af2fe9f6501a7ac4b061667b5a93e037fd"],
  ["0xdD2FD4581271e230360230F9337D5c0430Bf44C0", "0xde9be858da4a475276426320d5e9262ecfc3ba460bfac56360bfa6c4c28b4ee0"],
  ["0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199", "0xdf57089febbacf7ba0bc227dafbffa9fc08a93fdc68e1e42411a14efcf23656e"],
];

/** Meter key of dev account i: [address, PUBLIC private key = keccak256("PowerLAN devnet meter <i>")]. */
const METER_KEYS: readonly (readonly [Address, Hex])[] = [
  ["0x065f8570E91916AcCeA4e8d027Ae080C3359A01a", "0xaee56e6f1cf1fe5286eae40ac3a8042e8f8f147b8a17100cb2532173847e582b"],
  ["0xA6CF86466e887a780906b5C55c270c72264C735f", "0x9c866d69590318375b6ee0ce24aabddab9e14d0a200b7f903112455ea4717964"],
  ["0x83C60fe8d70BCD84c32d652616490762061199c1", "0x7b5e074f4f04c5cfd878e6653e03f2ea29821bee8e52a18403d9be663848f2e8"],
  ["0x364514E2Bc836A82460c6d92C22fd5bc0DB54D8A", "0x87c90ea904a514d2deb2247632ea4b5bbda67d430ca8730fa7a82bbcad1b03ff"],
  ["0x4e381FE790251BCE7c0ab3eA02185277FBc7e983", "0x3ae676aa9b51658a2c96839a5a8df9fb553a5b7e02d280286cd97a606f64556f"],
  ["0xaa6824add297aE3268C02Bbd6C5aa6560379Ef4E", "0x1407190845a77fb9786b3c72bd21cdd8da7a87cac85a9c925f5b21fa49822dfa"],
  ["0x9667773307193Ed761f814467fDe4a86e875209B", "0xb6b79100cc6574b637a5b39a50ada1c5136e95e77607ac99828df12f19200b2f"],
  ["0x67ADbD7905CD70ac6c559dE776d0b907C75AE787", "0x9fbdcd441febc722276a7968d908af6787f35f410306270efe4e2533cbd4451b"],
  ["0xe7222F304E4A9d557CAa84E27A1abe2b47501475", "0x2b364a1e3443d492280fe2cf2a29db06929fa49726949539adf3ce61b768edf4"],
  ["0x9B3c3133f7e82204E2f12d3294cF63b3ee8088Be", "0x9e1a6e68dbba2733d1568b573ccb027ba370dc1513dccb5ca4244ae2757810d2"],
  ["0x475260E29Bf14Dd0E4FDA1e65d6ea3D26F0141A9", "0xafe8e2b38a863935854fc25897ca6b9a1d31367820cc55acd30219cf51c584ba"],
  ["0x7bceb07b73dED185c5A44Eb3e83379AC875AA86b", "0x6fe2c0101b153ac17de240fc77afcdc539c46d85a345d5ca4b7b8458360e2df8"],
  ["0x77c3F12B9305D838172A668d71e965C17c6cA642", "0x0e57ff8c5d8adc6672ea96137b4c05a3ceb24c340c10e1d4c8625dc2089ab634"],
  ["0x75b8eEA2A23B772D9c68E5A7A4fEE6e33046cFf1", "0xbabd05c813a8e6ff5be644977250ed8847e70e4dc778b04c54407f1525ddb559"],
  ["0x14952493cC36869AF1f42229CB6CFdDb0b3C4730", "0x5b0d8765022bda6f91cf555c05e3f5a3711667f87eeba64a51c91e7cb696e249"],
  ["0xDD54135A530d59D358167BFCd8657c12844D7a7F", "0x49663e0aa7a95eba4e61fcfcf8904583ac907e2c9866b5e3d955edec5f3b9aa3"],
  ["0x21180AE8EaF9DeCB2C59BB69E960Efb0A292Ea81", "0x7138920d691caa321edadac2e18154852d159d54ba3ebfbd04a659eb03ac2bba"],
  ["0xf842Af11365565d07b7c29A3aAfea963fCD12F6f", "0xe91ff06fa6ce27a544bfd7a0d19c24eae957e18810116d3c35d7aea84f064424"],
  ["0x2c470341f57884Cb2578C7B21d25fc9B8544aadb", "0x6c341d045e35ee4bde6a3d8034afb0c4e4a63aa742b3f48c0fb228bb734c86b7"],
  ["0xAF0C2EEC08f8e7fBd847f6002B9fB99d4Aa951c8", "0xeb18de51509a0f516be2fcb21d961617b50cd9f8083423ed92f0b1052eafe62d"],
];

interface CastEntry {
  kind: DevAccountKind;
  name: string;
  detail: string;
  registryRole: ParticipantRoleName | null;
  zone: number;
  pvKWp?: number;
  validator?: boolean;
}

/** Who is who, by Hardhat dev account index. Zones: 1 = feeder north, 2 = feeder south. */
const CAST: readonly CastEntry[] = [
  { kind: "admin", name: "Admin", detail: "deploys the contracts, holds DEFAULT_ADMIN_ROLE and MINTER_ROLE", registryRole: null, zone: 0 },
  { kind: "regulator", name: "Regulator", detail: "supervision: pause, price cap/floor, approve/suspend", registryRole: "Regulator", zone: 0 },
  { kind: "dso", name: "DSO", detail: "distribution grid operator: grid fees, rounding dust, imbalance", registryRole: "DSO", zone: 0 },
  { kind: "aggregator", name: "Aggregator", detail: "community battery + 30 kWp PV on the school roof, channel hub", registryRole: "Aggregator", zone: 1, pvKWp: 30 },
  { kind: "validator", name: "Validator 1", detail: "run by the DSO's control room", registryRole: "Validator", zone: 0, validator: true },
  { kind: "validator", name: "Validator 2", detail: "run by the aggregator", registryRole: "Validator", zone: 0, validator: true },
  { kind: "validator", name: "Validator 3", detail: "run by the energy cooperative", registryRole: "Validator", zone: 0, validator: true },
  { kind: "validator", name: "Validator 4", detail: "run by the municipal utility", registryRole: "Validator", zone: 0, validator: true },
  { kind: "prosumer", name: "Household 1", detail: "prosumer, 5 kWp PV", registryRole: "Prosumer", zone: 1, pvKWp: 5 },
  { kind: "prosumer", name: "Household 2", detail: "prosumer, 8 kWp PV + home battery", registryRole: "Prosumer", zone: 1, pvKWp: 8 },
  { kind: "prosumer", name: "Household 3", detail: "prosumer, 3.5 kWp PV", registryRole: "Prosumer", zone: 2, pvKWp: 3.5 },
  { kind: "prosumer", name: "Household 4", detail: "prosumer, 10 kWp PV (farm barn)", registryRole: "Prosumer", zone: 2, pvKWp: 10 },
  { kind: "consumer", name: "Household 5", detail: "consumer, flat, no PV", registryRole: "Consumer", zone: 1 },
  { kind: "consumer", name: "Household 6", detail: "consumer, family home with heat pump", registryRole: "Consumer", zone: 1 },
  { kind: "consumer", name: "Household 7", detail: "consumer, EV charging at home", registryRole: "Consumer", zone: 2 },
  { kind: "consumer", name: "Household 8", detail: "consumer, bakery (daytime load)", registryRole: "Consumer", zone: 2 },
  { kind: "newcomer", name: "Newcomer 1", detail: "not registered (try self-registration)", registryRole: null, zone: 0 },
  { kind: "newcomer", name: "Newcomer 2", detail: "not registered", registryRole: null, zone: 0 },
  { kind: "newcomer", name: "Newcomer 3", detail: "not registered", registryRole: null, zone: 0 },
  { kind: "newcomer", name: "Newcomer 4", detail: "not registered", registryRole: null, zone: 0 },
];

const TRADER_KINDS: readonly DevAccountKind[] = ["prosumer", "consumer", "aggregator"];

/** All 20 dev accounts, by index. */
export const DEV_ACCOUNTS: readonly DevAccount[] = CAST.map((entry, index): DevAccount => {
  const [address, privateKey] = HARDHAT_KEYS[index];
  const [meterAddress, meterKey] = METER_KEYS[index];
  return {
    index,
    address,
    privateKey,
    kind: entry.kind,
    name: entry.name,
    label: `${entry.name} — ${entry.detail}`,
    registryRole: entry.registryRole,
    zone: entry.zone,
    meter: TRADER_KINDS.includes(entry.kind) ? { address: meterAddress, privateKey: meterKey } : null,
    pvKWp: entry.pvKWp ?? 0,
    validator: entry.validator ?? false,
    trader: TRADER_KINDS.includes(entry.kind),
  };
});

function one(kind: DevAccountKind): DevAccount {
  const found = DEV_ACCOUNTS.find((a) => a.kind === kind);
  if (!found) throw new Error(`no dev account of kind ${kind}`);
  return found;
}

/** The cast by role, for code that needs "the regulator" or "the households". */
export const DEVNET_CAST = {
  admin: one("admin"),
  regulator: one("regulator"),
  dso: one("dso"),
  aggregator: one("aggregator"),
  validators: DEV_ACCOUNTS.filter((a) => a.validator),
  prosumers: DEV_ACCOUNTS.filter((a) => a.kind === "prosumer"),
  consumers: DEV_ACCOUNTS.filter((a) => a.kind === "consumer"),
  households: DEV_ACCOUNTS.filter((a) => a.kind === "prosumer" || a.kind === "consumer"),
  /** Everyone the seed registers in ParticipantRegistry. */
  participants: DEV_ACCOUNTS.filter((a) => a.registryRole !== null),
  /** Everyone who gets payment tokens and trades. */
  traders: DEV_ACCOUNTS.filter((a) => a.trader),
  newcomers: DEV_ACCOUNTS.filter((a) => a.kind === "newcomer"),
} as const;

/** The dev account with this address (case-insensitive), if it is one. */
export function devAccountByAddress(address: string): DevAccount | undefined {
  const lower = address.toLowerCase();
  return DEV_ACCOUNTS.find((a) => a.address.toLowerCase() === lower);
}
