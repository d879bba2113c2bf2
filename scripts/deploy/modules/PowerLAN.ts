/**
 * Hardhat Ignition module: the five layers of PowerLAN, deployed and wired.
 *
 *   transaction  PaymentToken(admin, faucetEnabled)
 *   user         ParticipantRegistry(admin, regulator)
 *   consensus    ValidatorCommittee(admin, validators)
 *   contract     EnergyMarket(admin, registry, token, dso, marketParams, genesisTime)   (+ its escrow vault)
 *   supervision  Supervisor(admin, regulator, market, registry)
 *   transaction  PaymentChannels(token, admin, minChallengePeriodBlocks, maxChallengePeriodBlocks)
 *   consensus    MeterLedger(admin, registry, committee, market as interval clock, defaultMaxExportWh)
 *   transaction  EnergyCertificate(admin, certificateUri)
 *
 * then the role wiring: the market listens to the registry; the Supervisor holds the market's
 * SUPERVISOR_ROLE, the registry's REGULATOR_ROLE and the payment channels' SUPERVISOR_ROLE (it is
 * told the channels' address; the admin renounces the channels' SUPERVISOR_ROLE its constructor
 * granted), the regulator EOA holds REGULATOR_ROLE on the registry from its constructor; the admin
 * holds the token's MINTER_ROLE from its constructor.
 *
 * The admin is the deploying account (`m.getAccount(0)`): it sends the wiring transactions, so it
 * must be able to sign on the target network. Everything network-specific is a parameter —
 * see scripts/deploy/parameters/*.json5 and the README ("Deploy to another EVM network"):
 *   regulator, dso         addresses (default: accounts 1 and 2 of the network — fine on a devnet only)
 *   validators             address[] of the committee (required; 4 gives quorum 3)
 *   faucetEnabled          bool (default false; true on devnets only)
 *   marketParams           IEnergyMarket.MarketParams (default: production, 15-minute intervals)
 *   genesisTime            unix seconds where interval 0 starts (required)
 *   minChallengePeriodBlocks, maxChallengePeriodBlocks
 *                          bounds of a payment channel's challenge period, in blocks
 *                          (default 10 … 100,800 ≈ two weeks of 12-second blocks)
 *   meterDefaultMaxExportWh export rating of meters without their own, Wh per interval
 *                          (default 2,500 = 10 kW for 15 minutes)
 *   certificateUri         ERC-1155 metadata URI template of the energy certificates (default "")
 *   gridTariffs            IEnergyMarket.GridTariffs from interval 0 (base units per kWh): imbalance,
 *                          retail, feed-in, default zone fee (default 0.40 / 0.30 / 0.08 / 0.03 PLC/kWh);
 *                          the regulator changes them later through the Supervisor
 *
 * Deployments are chained one after another and every wiring call waits for the last deployment,
 * so on a fresh chain the addresses depend only on the deployer's nonce — the devnet's addresses
 * are deterministic and committed in lib/contracts/addresses.ts.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { keccak256, toHex } from "viem";
import { PRODUCTION_MARKET_PARAMS } from "../../../lib/devnet/config.ts";

const SUPERVISOR_ROLE = keccak256(toHex("SUPERVISOR_ROLE"));
const REGULATOR_ROLE = keccak256(toHex("REGULATOR_ROLE"));
const SCORER_ROLE = keccak256(toHex("SCORER_ROLE"));
const MINTER_ROLE = keccak256(toHex("MINTER_ROLE"));

/** Default grid tariffs (IEnergyMarket.GridTariffs, PLC base units per kWh; PLC has 6 decimals). */
export const DEFAULT_GRID_TARIFFS = {
  imbalanceWeiPerKWh: 400_000, // a seller's shortfall, charged at 0.40 PLC/kWh
  retailWeiPerKWh: 300_000, // grid → household, 0.30 PLC/kWh (savings figures only)
  feedInWeiPerKWh: 80_000, // household → grid, 0.08 PLC/kWh (savings figures only)
  defaultZoneFeeWeiPerKWh: 30_000, // grid fee on delivered LAN energy, 0.03 PLC/kWh
} as const;

export default buildModule("PowerLAN", (m) => {
  const admin = m.getAccount(0);
  const regulator = m.getParameter("regulator", m.getAccount(1));
  const dso = m.getParameter("dso", m.getAccount(2));
  const validators = m.getParameter<string[]>("validators");
  const faucetEnabled = m.getParameter<boolean>("faucetEnabled", false);
  const marketParams = m.getParameter("marketParams", { ...PRODUCTION_MARKET_PARAMS });
  const genesisTime = m.getParameter<bigint>("genesisTime");
  const minChallengeBlocks = m.getParameter<bigint>("minChallengePeriodBlocks", 10n);
  const maxChallengeBlocks = m.getParameter<bigint>("maxChallengePeriodBlocks", 100_800n);
  const meterDefaultMaxExportWh = m.getParameter<bigint>("meterDefaultMaxExportWh", 2_500n);
  const certificateUri = m.getParameter<string>("certificateUri", "");
  const gridTariffs = m.getParameter("gridTariffs", { ...DEFAULT_GRID_TARIFFS });

  const paymentToken = m.contract("PaymentToken", [admin, faucetEnabled]);
  const participantRegistry = m.contract("ParticipantRegistry", [admin, regulator], { after: [paymentToken] });
  const validatorCommittee = m.contract("ValidatorCommittee", [admin, validators], { after: [participantRegistry] });
  const energyMarket = m.contract(
    "EnergyMarket",
    [admin, participantRegistry, paymentToken, dso, marketParams, genesisTime],
    { after: [validatorCommittee] },
  );
  const supervisor = m.contract("Supervisor", [admin, regulator, energyMarket, participantRegistry], {
    after: [energyMarket],
  });
  const paymentChannels = m.contract("PaymentChannels", [paymentToken, admin, minChallengeBlocks, maxChallengeBlocks], {
    after: [supervisor],
  });
  const meterLedger = m.contract(
    "MeterLedger",
    [admin, participantRegistry, validatorCommittee, energyMarket, meterDefaultMaxExportWh],
    { after: [paymentChannels] },
  );
  const energyCertificate = m.contract("EnergyCertificate", [admin, certificateUri], { after: [meterLedger] });

  // Role wiring — after the last deployment, so it never takes a deployment's nonce.
  const wired = m.call(participantRegistry, "addListener", [energyMarket], {
    id: "registry_addListener_market",
    after: [energyCertificate],
  });
  m.call(energyMarket, "grantRole", [SUPERVISOR_ROLE, supervisor], {
    id: "market_grant_SUPERVISOR_ROLE_supervisor",
    after: [wired],
  });
  m.call(participantRegistry, "grantRole", [REGULATOR_ROLE, supervisor], {
    id: "registry_grant_REGULATOR_ROLE_supervisor",
    after: [wired],
  });
  // Settlement on metered delivery: the market reads the ledger, scores sellers and mints certificates.
  const scorer = m.call(meterLedger, "grantRole", [SCORER_ROLE, energyMarket], {
    id: "ledger_grant_SCORER_ROLE_market",
    after: [wired],
  });
  const minter = m.call(energyCertificate, "grantRole", [MINTER_ROLE, energyMarket], {
    id: "certificate_grant_MINTER_ROLE_market",
    after: [wired],
  });
  m.call(energyMarket, "configureSettlement", [meterLedger, energyCertificate, gridTariffs], {
    id: "market_configureSettlement",
    after: [scorer, minter],
  });
  // The regulator pauses channels through the Supervisor only: it gets the channels' SUPERVISOR_ROLE,
  // learns their address, and the deployer gives up the SUPERVISOR_ROLE its constructor granted.
  const channelsSupervised = m.call(paymentChannels, "grantRole", [SUPERVISOR_ROLE, supervisor], {
    id: "channels_grant_SUPERVISOR_ROLE_supervisor",
    after: [wired],
  });
  m.call(supervisor, "setPaymentChannels", [paymentChannels], {
    id: "supervisor_setPaymentChannels",
    after: [wired],
  });
  m.call(paymentChannels, "renounceRole", [SUPERVISOR_ROLE, admin], {
    id: "channels_renounce_SUPERVISOR_ROLE_admin",
    after: [channelsSupervised],
  });

  return {
    paymentToken,
    participantRegistry,
    validatorCommittee,
    energyMarket,
    supervisor,
    paymentChannels,
    meterLedger,
    energyCertificate,
  };
});
