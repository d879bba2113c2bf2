/**
 * Every error a PowerLAN user can meet, in plain words — the one place the app turns wallet,
 * network and contract failures into sentences. Contract custom errors are decoded from the
 * revert data against `KNOWN_ERRORS_ABI` (every error of contracts/interfaces plus the
 * OpenZeppelin ones the contracts inherit), so a revert is explained even when it bubbled up
 * from another contract than the one called (the token inside a vault deposit, say).
 *
 * Pure module (no React): unit-tested in test/app/errors.test.ts, which also checks that every
 * error in the generated ABIs (lib/contracts/abis.ts) has a message here.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  keccak256,
  parseAbi,
  toHex,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import { formatClock, formatEnergy, formatPLC, formatPricePerKWh, shortAddress } from "./format.ts";

/** Human-readable signatures of every custom error the app can meet. Keep in sync with contracts/interfaces. */
export const KNOWN_ERROR_SIGNATURES = [
  // contract layer: EnergyMarket (IEnergyMarket)
  "error MarketNotParticipant(address account)",
  "error MarketCannotSell(address account)",
  "error MarketPaused()",
  "error MarketZeroEnergy()",
  "error MarketEnergyBelowMinimum(uint256 energyWh, uint256 minOrderWh)",
  "error MarketZeroPrice()",
  "error MarketPriceAboveCap(uint256 priceWeiPerKWh, uint256 capWeiPerKWh)",
  "error MarketPriceBelowFloor(uint256 priceWeiPerKWh, uint256 floorWeiPerKWh)",
  "error MarketTooManyOrders(uint64 interval, uint8 side, uint256 maxOrdersPerSide)",
  "error MarketGateClosed(uint64 interval, uint256 gateClosureTime)",
  "error MarketGateNotClosed(uint64 interval, uint256 gateClosureTime)",
  "error MarketAlreadyCleared(uint64 interval)",
  "error MarketNotCleared(uint64 interval)",
  "error MarketUnknownOrder(uint256 orderId)",
  "error MarketNotOrderOwner(uint256 orderId, address caller)",
  "error MarketOrderNotOpen(uint256 orderId)",
  "error MarketNotAnOffer(uint256 orderId)",
  "error MarketTakeExceedsOffer(uint256 orderId, uint256 requestedWh, uint256 availableWh)",
  "error MarketOwnOffer(uint256 orderId)",
  "error MarketNotAddressedBuyer(uint256 orderId, address caller)",
  "error MarketBuyerNotParticipant(address buyer)",
  "error MarketOrderAlreadySettled(uint256 orderId)",
  "error MarketSortHintLength(uint8 side, uint256 givenOrders, uint256 liveOrders)",
  "error MarketSortHintInvalid(uint8 side, uint256 position)",
  "error MarketParamsInvalid()",
  "error MarketParamsIntervalGated(uint64 interval, uint256 gateClosureTime)",
  "error MarketOnlyRegistry(address caller)",
  "error MarketZeroAddress()",
  // transaction layer: settlement on metered delivery (IEnergyMarket, run by DeliverySettlement)
  "error MarketSettleBatchTooLarge(uint256 given, uint256 max)",
  "error MarketSettlementNotConfigured()",
  "error MarketSettlementAlreadyConfigured()",
  "error MarketReadingsNotFinal(uint64 interval)",
  "error MarketReadingMissing(address account, uint64 interval, uint256 graceEndsAt)",
  "error MarketSellersNotSettled(uint64 interval, uint256 unsettledOffers)",
  "error MarketAccountInDebt(address account, uint256 debtWei)",
  "error MarketOnlySelf(address caller)",
  // transaction layer: escrow vault (IEscrowVault) and payment token
  "error VaultZeroAmount()",
  "error VaultInsufficientBalance(address account, uint256 availableWei, uint256 requiredWei)",
  "error TokenZeroAddress()",
  "error TokenFaucetDisabled()",
  "error TokenFaucetCooldown(address account, uint256 readyAt)",
  // user layer: ParticipantRegistry
  "error RegistryAlreadyRegistered(address account)",
  "error RegistryNotRegistered(address account)",
  "error RegistryInvalidRole(uint8 role)",
  "error RegistryZeroMeter()",
  "error RegistryMeterInUse(address meter, address account)",
  "error RegistryInvalidStatus(address account, uint8 status)",
  "error RegistryTooManyListeners(uint256 max)",
  "error RegistryListenerAlreadyAdded(address listener)",
  "error RegistryListenerNotFound(address listener)",
  "error RegistryZeroAddress()",
  // consensus layer: ValidatorCommittee
  "error CommitteeNotEnoughSignatures(uint256 given, uint256 quorum)",
  "error CommitteeNotValidator(address signer)",
  "error CommitteeDuplicateSigner(address signer)",
  "error CommitteeSignersNotAscending(address signer, address previous)",
  "error CommitteeAlreadyFinalized(uint64 interval)",
  "error CommitteeZeroRoot()",
  "error CommitteeInvalidValidatorSet()",
  "error CommitteeValidatorSetSize(uint256 size, uint256 max)",
  "error CommitteeCannotAdd(address validator)",
  "error CommitteeCannotRemove(address validator)",
  "error CommitteeEmptyChange()",
  // consensus layer: MeterLedger (IMeterLedger)
  "error MeterLedgerBatchTooLarge(uint256 given, uint256 max)",
  "error MeterLedgerLengthMismatch(uint256 readings, uint256 signatures, uint256 proofs)",
  "error MeterLedgerClockNotSet()",
  "error MeterLedgerSignerNotBound(address recovered, address meter)",
  "error MeterLedgerFutureInterval(uint64 interval, uint64 currentInterval)",
  "error MeterLedgerIntervalNotFinal(uint64 interval)",
  "error MeterLedgerReadingNotAttested(address meter, uint64 interval)",
  "error MeterLedgerDuplicateReading(address meter, uint64 interval)",
  "error MeterLedgerExportAboveRating(uint32 exportedWh, uint32 maxWh)",
  "error MeterLedgerInvalidRating(uint32 maxExportWh)",
  "error MeterLedgerZeroAddress()",
  // transaction layer: EnergyCertificate (IEnergyCertificate, ERC-1155)
  "error CertificateZeroEnergy()",
  "error CertificateZeroAdmin()",
  // transaction layer: payment channels (IPaymentChannels)
  "error ChannelZeroAddress()",
  "error ChannelPaused()",
  "error ChannelCounterpartyInvalid(address counterparty)",
  "error ChannelChallengePeriodOutOfRange(uint256 challengePeriodBlocks, uint256 minBlocks, uint256 maxBlocks)",
  "error ChannelZeroDeposit()",
  "error ChannelDepositTooLarge(uint256 channelId, uint256 amountWei, uint256 maxMoreWei)",
  "error ChannelNotParticipant(uint256 channelId, address account)",
  "error ChannelNotOpen(uint256 channelId, uint8 status)",
  "error ChannelNotClosing(uint256 channelId, uint8 status)",
  "error ChannelNotSettled(uint256 channelId, uint8 status)",
  "error ChannelSignatureInvalid(uint256 channelId, address expectedSigner, address recoveredSigner)",
  "error ChannelInitialStateNotEmpty(uint256 channelId)",
  "error ChannelNonceTooLow(uint256 channelId, uint64 nonce, uint64 currentNonce)",
  "error ChannelChallengePeriodOver(uint256 channelId, uint64 challengeDeadlineBlock)",
  "error ChannelChallengePeriodNotOver(uint256 channelId, uint64 challengeDeadlineBlock)",
  "error ChannelPayoutsMismatch(uint256 channelId, uint256 payoutAWei, uint256 payoutBWei, uint256 depositsWei)",
  "error ChannelNothingToWithdraw(uint256 channelId, address account)",
  "error ChannelLockSenderInvalid(uint256 channelId, address sender)",
  "error ChannelLockSecretMismatch(bytes32 hashlock, bytes32 secretHash)",
  "error ChannelLockExpired(bytes32 hashlock, uint64 expiryBlock, uint256 revealedAtBlock)",
  "error ChannelLockNotFound(uint256 channelId, bytes32 leaf)",
  "error ChannelLockAlreadyUnlocked(uint256 channelId, bytes32 leaf)",
  // supervision layer
  "error SupervisorPriceLimitsInvalid(uint256 floorWeiPerKWh, uint256 capWeiPerKWh)",
  "error SupervisorZeroAddress()",
  "error SupervisorAccountNotFlagged(address account)",
  // OpenZeppelin 5
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
  "error AccessControlBadConfirmation()",
  "error EnforcedPause()",
  "error ExpectedPause()",
  "error ReentrancyGuardReentrantCall()",
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InvalidSender(address sender)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ERC20InvalidApprover(address approver)",
  "error ERC20InvalidSpender(address spender)",
  "error ERC2612ExpiredSignature(uint256 deadline)",
  "error ERC2612InvalidSigner(address signer, address owner)",
  "error InvalidAccountNonce(address account, uint256 currentNonce)",
  "error SafeERC20FailedOperation(address token)",
  "error SafeCastOverflowedUintDowncast(uint8 bits, uint256 value)",
  "error ERC1155InsufficientBalance(address sender, uint256 balance, uint256 needed, uint256 tokenId)",
  "error ERC1155InvalidSender(address sender)",
  "error ERC1155InvalidReceiver(address receiver)",
  "error ERC1155MissingApprovalForAll(address operator, address owner)",
  "error ERC1155InvalidApprover(address approver)",
  "error ERC1155InvalidOperator(address operator)",
  "error ERC1155InvalidArrayLength(uint256 idsLength, uint256 valuesLength)",
  "error InvalidShortString()",
  "error StringTooLong(string str)",
  "error ECDSAInvalidSignature()",
  "error ECDSAInvalidSignatureLength(uint256 length)",
  "error ECDSAInvalidSignatureS(bytes32 s)",
] as const;

export const KNOWN_ERRORS_ABI = parseAbi(KNOWN_ERROR_SIGNATURES);

/** Names of roles (AccessControl) by their hash, for "you need the … role". */
export const ROLE_NAMES: Readonly<Record<Hex, string>> = Object.fromEntries([
  ["0x0000000000000000000000000000000000000000000000000000000000000000", "admin (DEFAULT_ADMIN_ROLE)"],
  ...(
    [
      ["REGULATOR_ROLE", "regulator"],
      ["SUPERVISOR_ROLE", "supervisor"],
      ["MINTER_ROLE", "minter"],
      ["KEEPER_ROLE", "keeper"],
      ["RELAYER_ROLE", "relayer"],
      ["BRIDGE_ROLE", "bridge"],
      ["VALIDATOR_ROLE", "validator"],
      ["SETTLER_ROLE", "settler"],
    ] as const
  ).map(([id, words]) => [keccak256(toHex(id)), `${words} (${id})`]),
]);

const SIDES = ["bid", "offer"] as const;
const ROLES = ["none", "prosumer", "consumer", "aggregator", "validator", "DSO", "regulator"] as const;
const CHANNEL_STATUSES = ["not opened", "open", "closing", "settled"] as const;
const channelStatus = (x: unknown) => CHANNEL_STATUSES[Number(x)] ?? `in status ${String(x)}`;
const STATUSES = ["not registered", "pending approval", "approved", "suspended"] as const;

export type ErrorKind =
  | "rejected" // the user said no in the wallet
  | "not-connected" // no wallet connected
  | "wrong-chain" // wallet on another network than the app's
  | "contract" // a contract reverted (custom error decoded when known)
  | "funds" // not enough ETH for gas
  | "network" // the RPC node is unreachable
  | "unknown";

export interface ExplainedError {
  kind: ErrorKind;
  /** Short heading, e.g. "Price above the cap". */
  title: string;
  /** One or two sentences for people, with units. */
  message: string;
  /** The custom error's name when a contract reverted with one. */
  errorName?: string;
  args?: readonly unknown[];
}

export interface ExplainContext {
  /** The connected account: errors about it say "your account". */
  account?: Address;
  /** Names for known addresses (dev accounts), e.g. "Household 1". */
  nameOf?: (address: Address) => string | undefined;
  /** Time zone for clock times (tests pin UTC). */
  timeZone?: string;
}

/** Errors the app raises itself before anything reaches a wallet. */
export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly title: string;
  constructor(kind: ErrorKind, title: string, message: string) {
    super(message);
    this.name = "AppError";
    this.kind = kind;
    this.title = title;
  }
}

export function notConnectedError(): AppError {
  return new AppError("not-connected", "Wallet not connected", "Connect a wallet first (use Connect at the top right).");
}

export function wrongChainError(walletChainId: number, appChainName: string, appChainId: number): AppError {
  return new AppError(
    "wrong-chain",
    "Wrong network",
    `Your wallet is on chain ${walletChainId}; PowerLAN runs on ${appChainName} (chain ${appChainId}). Switch the network and try again.`,
  );
}

type Describe = (args: readonly unknown[], ctx: ExplainContext) => { title: string; message: string };

function who(address: unknown, ctx: ExplainContext): string {
  const a = String(address) as Address;
  if (ctx.account && a.toLowerCase() === ctx.account.toLowerCase()) return "your account";
  const name = ctx.nameOf?.(a);
  return name ? `${name} (${shortAddress(a)})` : shortAddress(a);
}

function Who(address: unknown, ctx: ExplainContext): string {
  const text = who(address, ctx);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const big = (x: unknown): bigint => BigInt(x as bigint);
const price = (x: unknown) => formatPricePerKWh(big(x));
const energy = (x: unknown) => formatEnergy(big(x));
const plc = (x: unknown) => formatPLC(big(x));
const clock = (x: unknown, ctx: ExplainContext) => formatClock(big(x), ctx.timeZone);
const side = (x: unknown) => SIDES[Number(x)] ?? `side ${String(x)}`;

/** Plain words for every known custom error, by name. */
export const ERROR_MESSAGES: Readonly<Record<string, Describe>> = {
  MarketNotParticipant: ([a], c) => ({
    title: "Not an active participant",
    message: `${Who(a, c)} is not an approved participant of this energy LAN (unregistered, awaiting approval or suspended), so it cannot trade.`,
  }),
  MarketCannotSell: ([a], c) => ({
    title: "Consumers cannot sell",
    message: `${Who(a, c)} is registered as a consumer: consumers may only buy. Offers come from prosumers and aggregators.`,
  }),
  MarketPaused: () => ({
    title: "Trading is paused",
    message: "The regulator has paused trading: no new orders or takes for now. Cancelling and withdrawing still work.",
  }),
  MarketZeroEnergy: () => ({ title: "No energy", message: "The energy must be more than 0 Wh." }),
  MarketEnergyBelowMinimum: ([e, min]) => ({
    title: "Order too small",
    message: `${energy(e)} is below the smallest order the market accepts, ${energy(min)}.`,
  }),
  MarketZeroPrice: () => ({ title: "No price", message: "The price must be more than 0 PLC/kWh." }),
  MarketPriceAboveCap: ([p, cap]) => ({
    title: "Price above the cap",
    message: `Your price of ${price(p)} is above the regulator's price cap of ${price(cap)}. Enter ${price(cap)} or less.`,
  }),
  MarketPriceBelowFloor: ([p, floor]) => ({
    title: "Price below the floor",
    message: `Your price of ${price(p)} is below the regulator's price floor of ${price(floor)}. Enter ${price(floor)} or more.`,
  }),
  MarketTooManyOrders: ([i, s, max]) => ({
    title: "Order book full",
    message: `Interval ${String(i)} already holds the maximum of ${String(max)} ${side(s)}s. Try a later interval.`,
  }),
  MarketGateClosed: ([i, t], c) => ({
    title: "Gate closed",
    message: `Trading for interval ${String(i)} closed at ${clock(t, c)} (gate closure). Choose a later interval.`,
  }),
  MarketGateNotClosed: ([i, t], c) => ({
    title: "Gate still open",
    message: `Interval ${String(i)} can be cleared only after its gate closes at ${clock(t, c)}.`,
  }),
  MarketAlreadyCleared: ([i]) => ({ title: "Already cleared", message: `Interval ${String(i)} has already been cleared.` }),
  MarketNotCleared: ([i]) => ({
    title: "Not cleared yet",
    message: `Interval ${String(i)} has not been cleared yet: clear it first, then settle.`,
  }),
  MarketUnknownOrder: ([id]) => ({ title: "Unknown order", message: `There is no order #${String(id)}.` }),
  MarketNotOrderOwner: ([id, caller], c) => ({
    title: "Not your order",
    message: `Order #${String(id)} belongs to someone else; ${who(caller, c)} cannot cancel it.`,
  }),
  MarketOrderNotOpen: ([id]) => ({
    title: "Order not open",
    message: `Order #${String(id)} is no longer open (cancelled, fully taken or already in clearing).`,
  }),
  MarketNotAnOffer: ([id]) => ({ title: "Not an offer", message: `Order #${String(id)} is a bid; only offers can be taken.` }),
  MarketTakeExceedsOffer: ([id, req, avail]) => ({
    title: "Not that much energy left",
    message: `You asked for ${energy(req)} of offer #${String(id)}, but only ${energy(avail)} is left.`,
  }),
  MarketOwnOffer: ([id]) => ({ title: "Your own offer", message: `Offer #${String(id)} is yours: you cannot buy from yourself.` }),
  MarketNotAddressedBuyer: ([id, caller], c) => ({
    title: "Offer addressed to someone else",
    message: `Offer #${String(id)} is reserved for another buyer; ${who(caller, c)} cannot take it.`,
  }),
  MarketBuyerNotParticipant: ([a], c) => ({
    title: "Buyer not a participant",
    message: `${Who(a, c)} is not an approved participant, so an offer cannot be addressed to it.`,
  }),
  MarketOrderAlreadySettled: ([id]) => ({ title: "Already settled", message: `Order #${String(id)} has already been settled.` }),
  MarketSortHintLength: ([s, given, live]) => ({
    title: "Order book changed",
    message: `The clearing hints list ${String(given)} ${side(s)}s but ${String(live)} are live. Reload and try again.`,
  }),
  MarketSortHintInvalid: ([s, pos]) => ({
    title: "Order book changed",
    message: `The clearing hints are out of order at ${side(s)} position ${String(pos)}. Reload and try again.`,
  }),
  MarketParamsInvalid: () => ({
    title: "Invalid market parameters",
    message: "These market parameters are not valid (check floor ≤ cap, k ≤ 1, non-zero interval length and order limits).",
  }),
  MarketParamsIntervalGated: ([i, t], c) => ({
    title: "Interval already gated",
    message: `New parameters cannot apply to interval ${String(i)}: its gate closed at ${clock(t, c)}. Choose a later interval.`,
  }),
  MarketOnlyRegistry: ([a], c) => ({
    title: "Registry only",
    message: `Only the participant registry may send participant updates, not ${who(a, c)}.`,
  }),
  MarketZeroAddress: () => ({ title: "Zero address", message: "An address is required here (not the zero address)." }),
  MarketSettleBatchTooLarge: ([given, max]) => ({
    title: "Too many orders at once",
    message: `One settlement may take at most ${String(max)} orders, not ${String(given)}. Settle them in smaller batches.`,
  }),
  MarketSettlementNotConfigured: () => ({
    title: "Settlement not set up",
    message: "The market has no meter ledger yet, so trades cannot be settled on metered delivery. The operator must configure settlement first.",
  }),
  MarketSettlementAlreadyConfigured: () => ({
    title: "Settlement already set up",
    message: "The market already settles on a meter ledger; it can be configured only once.",
  }),
  MarketReadingsNotFinal: ([i]) => ({
    title: "Meter readings not final yet",
    message: `Interval ${String(i)} is paid for metered delivery, and its meter readings are not final yet (the validator committee has not reached a quorum). Try again once the readings are final.`,
  }),
  MarketReadingMissing: ([a, i, t], c) => ({
    title: "Seller's meter reading missing",
    message: `The meter reading of ${who(a, c)} for interval ${String(i)} is not recorded yet. Settlement waits for it until ${clock(t, c)}; after that a missing reading counts as 0 Wh delivered.`,
  }),
  MarketSellersNotSettled: ([i, n]) => ({
    title: "Sellers first",
    message: `Buyers of interval ${String(i)} are settled after its sellers: ${String(n)} offer${big(n) === 1n ? "" : "s"} still wait${big(n) === 1n ? "s" : ""} for settlement. Settle the offers first.`,
  }),
  MarketAccountInDebt: ([a, d], c) => ({
    title: "Imbalance debt outstanding",
    message: `${Who(a, c)} owes ${plc(d)} for energy sold but not delivered (imbalance). New orders and takes are blocked until it is repaid — any deposit or payout repays it first.`,
  }),
  MarketOnlySelf: ([a], c) => ({
    title: "Internal settlement call",
    message: `That function is internal plumbing of the market's settlement and cannot be called directly (${who(a, c)} tried).`,
  }),
  VaultZeroAmount: () => ({ title: "No amount", message: "The amount must be more than 0 PLC." }),
  VaultInsufficientBalance: ([a, avail, req], c) => ({
    title: "Not enough free balance",
    message: `${Who(a, c) === "Your account" ? "You have" : `${Who(a, c)} has`} ${plc(avail)} free in the market vault, but this needs ${plc(req)}. Deposit more first.`,
  }),
  TokenZeroAddress: () => ({ title: "Zero address", message: "The token needs a non-zero address here." }),
  TokenFaucetDisabled: () => ({ title: "No faucet here", message: "The faucet works only on the local devnet." }),
  TokenFaucetCooldown: ([a, t], c) => ({
    title: "Faucet cooling down",
    message: `${Who(a, c)} used the faucet recently; it can ask again at ${clock(t, c)}.`,
  }),
  RegistryAlreadyRegistered: ([a], c) => ({ title: "Already registered", message: `${Who(a, c)} is already registered.` }),
  RegistryNotRegistered: ([a], c) => ({ title: "Not registered", message: `${Who(a, c)} is not registered in the energy LAN.` }),
  RegistryInvalidRole: ([r]) => ({
    title: "Role not allowed",
    message: `The role "${ROLES[Number(r)] ?? String(r)}" cannot be chosen here (self-registration allows prosumer, consumer or aggregator).`,
  }),
  RegistryZeroMeter: () => ({ title: "No meter", message: "A smart meter address is required." }),
  RegistryMeterInUse: ([m, a], c) => ({
    title: "Meter already bound",
    message: `Meter ${shortAddress(String(m))} is already bound to ${who(a, c)}.`,
  }),
  RegistryInvalidStatus: ([a, s], c) => ({
    title: "Not possible in this status",
    message: `${Who(a, c)} is ${STATUSES[Number(s)] ?? `in status ${String(s)}`}, so this action does not apply.`,
  }),
  RegistryTooManyListeners: ([max]) => ({ title: "Too many listeners", message: `The registry accepts at most ${String(max)} listeners.` }),
  RegistryListenerAlreadyAdded: ([l]) => ({ title: "Listener exists", message: `${shortAddress(String(l))} is already a listener.` }),
  RegistryListenerNotFound: ([l]) => ({ title: "No such listener", message: `${shortAddress(String(l))} is not a listener.` }),
  RegistryZeroAddress: () => ({ title: "Zero address", message: "An account address is required (not the zero address)." }),
  CommitteeNotEnoughSignatures: ([given, quorum]) => ({
    title: "No quorum",
    message: `Only ${String(given)} validator signatures; the committee needs ${String(quorum)}.`,
  }),
  CommitteeNotValidator: ([s], c) => ({ title: "Not a validator", message: `${Who(s, c)} is not a member of the validator committee.` }),
  CommitteeDuplicateSigner: ([s], c) => ({ title: "Duplicate signature", message: `${Who(s, c)} signed twice; each validator counts once.` }),
  CommitteeSignersNotAscending: ([s, prev]) => ({
    title: "Signatures out of order",
    message: `Signatures must be sorted by signer address: ${shortAddress(String(s))} came after ${shortAddress(String(prev))}.`,
  }),
  CommitteeAlreadyFinalized: ([i]) => ({ title: "Already final", message: `The readings of interval ${String(i)} are already final.` }),
  CommitteeZeroRoot: () => ({ title: "Empty readings", message: "The readings root must not be zero." }),
  CommitteeInvalidValidatorSet: () => ({ title: "Invalid validator set", message: "The validator set is empty or contains duplicates." }),
  ChannelZeroAddress: () => ({ title: "Zero address", message: "An address is required here (not the zero address)." }),
  ChannelPaused: () => ({ title: "Channels paused", message: "The regulator has paused opening and funding payment channels. Closing and withdrawing still work." }),
  ChannelCounterpartyInvalid: ([a], c) => ({ title: "Invalid counterparty", message: `${Who(a, c)} cannot be the other side of a channel (zero address or yourself).` }),
  ChannelChallengePeriodOutOfRange: ([p, min, max]) => ({
    title: "Challenge period out of range",
    message: `A challenge period of ${String(p)} blocks is not allowed; choose between ${String(min)} and ${String(max)} blocks.`,
  }),
  ChannelZeroDeposit: () => ({ title: "No deposit", message: "The deposit must be more than 0 PLC." }),
  ChannelDepositTooLarge: ([id, amount, more]) => ({
    title: "Deposit too large",
    message: `Channel #${String(id)} can take only ${plc(more)} more, not ${plc(amount)}.`,
  }),
  ChannelNotParticipant: ([id, a], c) => ({ title: "Not your channel", message: `${Who(a, c)} is not a party of channel #${String(id)}.` }),
  ChannelNotOpen: ([id, s]) => ({ title: "Channel not open", message: `Channel #${String(id)} is ${channelStatus(s)}, not open.` }),
  ChannelNotClosing: ([id, s]) => ({ title: "Channel not closing", message: `Channel #${String(id)} is ${channelStatus(s)}, not closing.` }),
  ChannelNotSettled: ([id, s]) => ({ title: "Channel not settled", message: `Channel #${String(id)} is ${channelStatus(s)}, not settled yet.` }),
  ChannelSignatureInvalid: ([id, expected], c) => ({
    title: "Invalid signature",
    message: `A balance proof for channel #${String(id)} was not signed by ${who(expected, c)} (wrong party, channel, chain or contract).`,
  }),
  ChannelInitialStateNotEmpty: ([id]) => ({ title: "Invalid initial state", message: `The unsigned initial state of channel #${String(id)} must transfer nothing.` }),
  ChannelNonceTooLow: ([id, n, current]) => ({
    title: "Old balance proof",
    message: `Balance proof nonce ${String(n)} for channel #${String(id)} is not newer than the one on record (${String(current)}).`,
  }),
  ChannelChallengePeriodOver: ([id, b]) => ({ title: "Challenge period over", message: `The challenge period of channel #${String(id)} ended at block ${String(b)}.` }),
  ChannelChallengePeriodNotOver: ([id, b]) => ({
    title: "Challenge period running",
    message: `Channel #${String(id)} can be settled after block ${String(b)}, when its challenge period ends.`,
  }),
  ChannelPayoutsMismatch: ([id, a, b, dep]) => ({
    title: "Payouts do not add up",
    message: `The payouts of channel #${String(id)} (${plc(a)} + ${plc(b)}) must equal its deposits (${plc(dep)}).`,
  }),
  ChannelNothingToWithdraw: ([id, a], c) => ({ title: "Nothing to withdraw", message: `${Who(a, c)} has nothing left to withdraw from channel #${String(id)}.` }),
  ChannelLockSenderInvalid: ([id]) => ({ title: "Invalid lock", message: `A hash-time lock of channel #${String(id)} names a sender who is not a party.` }),
  ChannelLockSecretMismatch: () => ({ title: "Wrong secret", message: "The secret does not match the lock's hash." }),
  ChannelLockExpired: ([, expiry, revealed]) => ({
    title: "Lock expired",
    message: `The secret was revealed at block ${String(revealed)}, after the lock expired at block ${String(expiry)}.`,
  }),
  ChannelLockNotFound: ([id]) => ({ title: "Lock not found", message: `The lock is not part of channel #${String(id)}'s recorded balance proof.` }),
  ChannelLockAlreadyUnlocked: ([id]) => ({ title: "Already unlocked", message: `That lock of channel #${String(id)} was already unlocked.` }),
  CommitteeValidatorSetSize: ([size, max]) => ({
    title: "Committee size out of range",
    message: `The change would leave ${String(size)} validators; the committee needs between 1 and ${String(max)}.`,
  }),
  CommitteeCannotAdd: ([v], c) => ({ title: "Cannot add validator", message: `${Who(v, c)} is already a validator, listed twice or the zero address.` }),
  CommitteeCannotRemove: ([v], c) => ({ title: "Cannot remove validator", message: `${Who(v, c)} is not a validator (or is listed twice).` }),
  CommitteeEmptyChange: () => ({ title: "Nothing to change", message: "The validator-set change adds and removes nobody." }),
  MeterLedgerBatchTooLarge: ([given, max]) => ({ title: "Too many readings", message: `${String(given)} readings in one batch; at most ${String(max)} are accepted.` }),
  MeterLedgerLengthMismatch: ([r, s, p]) => ({
    title: "Incomplete batch",
    message: `The batch has ${String(r)} readings, ${String(s)} signatures and ${String(p)} proofs; they must match one to one.`,
  }),
  MeterLedgerClockNotSet: () => ({ title: "Ledger not set up", message: "The meter ledger does not know the market's interval clock yet." }),
  MeterLedgerSignerNotBound: ([, m]) => ({
    title: "Reading not signed by its meter",
    message: `A reading was not signed by meter ${shortAddress(String(m))} (or that meter is bound to no account, or it was signed for another chain or contract).`,
  }),
  MeterLedgerFutureInterval: ([i, cur]) => ({ title: "Interval in the future", message: `Interval ${String(i)} has not happened yet (now: ${String(cur)}).` }),
  MeterLedgerIntervalNotFinal: ([i]) => ({ title: "Readings not final", message: `The validators have not finalised the readings of interval ${String(i)} yet.` }),
  MeterLedgerReadingNotAttested: ([m, i]) => ({
    title: "Reading not attested",
    message: `The reading of meter ${shortAddress(String(m))} for interval ${String(i)} is not in the validators' final readings.`,
  }),
  MeterLedgerDuplicateReading: ([m, i]) => ({ title: "Reading already recorded", message: `Meter ${shortAddress(String(m))} already reported interval ${String(i)}.` }),
  MeterLedgerExportAboveRating: ([e, max]) => ({
    title: "Reading out of range",
    message: `The meter reports ${energy(e)} exported, more than its connection can carry in an interval (${energy(max)}).`,
  }),
  MeterLedgerInvalidRating: ([max]) => ({ title: "Invalid meter rating", message: `A maximum export of ${energy(max)} per interval is not valid.` }),
  MeterLedgerZeroAddress: () => ({ title: "Zero address", message: "An address is required here (not the zero address)." }),
  CertificateZeroEnergy: () => ({ title: "No energy", message: "A certificate must cover more than 0 Wh." }),
  CertificateZeroAdmin: () => ({ title: "Zero address", message: "The certificate contract needs an admin address." }),
  ERC1155InsufficientBalance: ([a, bal, need], c) => ({
    title: "Not enough certificates",
    message: `${Who(a, c)} holds ${energy(bal)} of these certificates, but this needs ${energy(need)}.`,
  }),
  ERC1155InvalidSender: () => ({ title: "Invalid sender", message: "Certificates cannot come from the zero address." }),
  ERC1155InvalidReceiver: ([r]) => ({
    title: "Invalid receiver",
    message: `${shortAddress(String(r))} cannot receive certificates (the zero address, or a contract that refuses ERC-1155 tokens).`,
  }),
  ERC1155MissingApprovalForAll: ([op], c) => ({ title: "Not approved", message: `${Who(op, c)} may not move these certificates for their owner.` }),
  ERC1155InvalidApprover: () => ({ title: "Invalid approver", message: "The zero address cannot approve." }),
  ERC1155InvalidOperator: () => ({ title: "Invalid operator", message: "That operator cannot be approved." }),
  ERC1155InvalidArrayLength: ([ids, values]) => ({
    title: "Mismatched lists",
    message: `${String(ids)} certificate ids but ${String(values)} amounts; they must match.`,
  }),
  SupervisorPriceLimitsInvalid: ([floor, cap]) => ({
    title: "Invalid price limits",
    message: `The floor (${price(floor)}) must be above 0 and not above the cap (${price(cap)}).`,
  }),
  SupervisorZeroAddress: () => ({ title: "Zero address", message: "An account address is required (not the zero address)." }),
  SupervisorAccountNotFlagged: ([a], c) => ({ title: "Not flagged", message: `${Who(a, c)} carries no flag to clear.` }),
  AccessControlUnauthorizedAccount: ([a, role], c) => ({
    title: "Not allowed",
    message: `${Who(a, c)} lacks the ${ROLE_NAMES[String(role).toLowerCase() as Hex] ?? `role ${shortAddress(String(role))}`} role needed for this.`,
  }),
  AccessControlBadConfirmation: () => ({ title: "Bad confirmation", message: "Only the account itself can renounce its role." }),
  EnforcedPause: () => ({ title: "Paused", message: "This is paused by the regulator right now." }),
  ExpectedPause: () => ({ title: "Not paused", message: "This works only while paused, and it is not paused." }),
  ReentrancyGuardReentrantCall: () => ({ title: "Re-entrant call", message: "A re-entrant call was blocked." }),
  ERC20InsufficientBalance: ([a, bal, need], c) => ({
    title: "Not enough PLC in the wallet",
    message: `${Who(a, c) === "Your account" ? "Your wallet holds" : `${Who(a, c)} holds`} ${plc(bal)}, but this needs ${plc(need)}.`,
  }),
  ERC20InsufficientAllowance: ([, allowance, need]) => ({
    title: "Approval too small",
    message: `The contract may spend only ${plc(allowance)} of your PLC, but this needs ${plc(need)}. Approve the amount first.`,
  }),
  ERC20InvalidSender: () => ({ title: "Invalid sender", message: "Tokens cannot come from the zero address." }),
  ERC20InvalidReceiver: () => ({ title: "Invalid receiver", message: "Tokens cannot go to the zero address." }),
  ERC20InvalidApprover: () => ({ title: "Invalid approver", message: "The zero address cannot approve." }),
  ERC20InvalidSpender: () => ({ title: "Invalid spender", message: "The zero address cannot be approved as spender." }),
  ERC2612ExpiredSignature: ([d], c) => ({ title: "Permit expired", message: `The signed permit expired at ${clock(d, c)}. Sign again.` }),
  ERC2612InvalidSigner: () => ({ title: "Invalid permit", message: "The permit was not signed by the token owner." }),
  InvalidAccountNonce: () => ({ title: "Stale signature", message: "The signature was made for an old nonce. Sign again." }),
  SafeERC20FailedOperation: ([t]) => ({ title: "Token transfer failed", message: `The token ${shortAddress(String(t))} refused the transfer.` }),
  SafeCastOverflowedUintDowncast: ([bits]) => ({
    title: "Number too large",
    message: `A number does not fit in ${String(bits)} bits. Use a smaller value.`,
  }),
  InvalidShortString: () => ({ title: "Invalid text", message: "A short text field is invalid." }),
  StringTooLong: () => ({ title: "Text too long", message: "A text is longer than allowed." }),
  ECDSAInvalidSignature: () => ({ title: "Invalid signature", message: "A signature is invalid." }),
  ECDSAInvalidSignatureLength: ([l]) => ({ title: "Invalid signature", message: `A signature has ${String(l)} bytes instead of 65.` }),
  ECDSAInvalidSignatureS: () => ({ title: "Invalid signature", message: "A signature is malleable (high s) and was rejected." }),
};

/** Explain one decoded custom error. Unknown names still get a readable line. */
export function explainCustomError(errorName: string, args: readonly unknown[] = [], ctx: ExplainContext = {}): ExplainedError {
  const describe = ERROR_MESSAGES[errorName];
  if (describe) return { kind: "contract", errorName, args, ...describe(args, ctx) };
  const spaced = errorName.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return {
    kind: "contract",
    errorName,
    args,
    title: "Transaction refused",
    message: `The contract refused: ${spaced}${args.length ? ` (${args.map(String).join(", ")})` : ""}.`,
  };
}

/** Decode raw revert data (selector + args) against every known error. */
export function decodeRevertData(data: Hex, abi: Abi = KNOWN_ERRORS_ABI): { errorName: string; args: readonly unknown[] } | undefined {
  if (!data || data === "0x" || data.length < 10) return undefined;
  try {
    const decoded = decodeErrorResult({ abi, data });
    return { errorName: decoded.errorName, args: (decoded.args ?? []) as readonly unknown[] };
  } catch {
    return undefined;
  }
}

const PANIC_REASONS: Record<number, string> = {
  0x01: "an internal check failed",
  0x11: "a number overflowed",
  0x12: "a division by zero",
  0x32: "an index out of range",
};

function findInChain(error: unknown, test: (e: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 20 && current && typeof current === "object"; depth++) {
    const e = current as Record<string, unknown>;
    if (test(e)) return e;
    current = e.cause;
  }
  return undefined;
}

function isHex(x: unknown): x is Hex {
  return typeof x === "string" && /^0x[0-9a-fA-F]*$/.test(x);
}

/**
 * Turn anything thrown by wagmi, viem, a wallet or the app into an `ExplainedError`.
 */
export function explainError(error: unknown, ctx: ExplainContext = {}): ExplainedError {
  if (error instanceof AppError) return { kind: error.kind, title: error.title, message: error.message };

  // 1. The user said no in the wallet (EIP-1193 code 4001, viem's UserRejectedRequestError).
  if (
    findInChain(
      error,
      (e) => e.code === 4001 || e.name === "UserRejectedRequestError" || /user (rejected|denied)/i.test(String(e.details ?? "")),
    )
  ) {
    return {
      kind: "rejected",
      title: "Request rejected",
      message: "You rejected the request in your wallet. Nothing was sent and nothing changed.",
    };
  }

  // 2. Not connected.
  if (findInChain(error, (e) => e.name === "ConnectorNotConnectedError" || e.name === "ConnectorAccountNotFoundError" || e.name === "AccountNotFoundError")) {
    const e = notConnectedError();
    return { kind: e.kind, title: e.title, message: e.message };
  }

  // 3. Wrong chain.
  const chainError = findInChain(
    error,
    (e) =>
      e.name === "ChainMismatchError" ||
      e.name === "ConnectorChainMismatchError" ||
      e.name === "ChainNotConfiguredError" ||
      e.name === "SwitchChainError" ||
      e.name === "SwitchChainNotSupportedError" ||
      e.code === 4902,
  );
  if (chainError) {
    return {
      kind: "wrong-chain",
      title: "Wrong network",
      message: "Your wallet is on another network than PowerLAN's. Switch the network in the banner above and try again.",
    };
  }

  // 4. A contract reverted.
  const reverted = findInChain(error, (e) => e instanceof ContractFunctionRevertedError || e.name === "ContractFunctionRevertedError") as
    | (ContractFunctionRevertedError & Record<string, unknown>)
    | undefined;
  if (reverted) {
    const data = reverted.data;
    if (data?.errorName && data.errorName !== "Error" && data.errorName !== "Panic") {
      return explainCustomError(data.errorName, (data.args ?? []) as readonly unknown[], ctx);
    }
    if (isHex(reverted.raw)) {
      const decoded = decodeRevertData(reverted.raw);
      if (decoded) return explainCustomError(decoded.errorName, decoded.args, ctx);
    }
    if (reverted.reason) {
      return { kind: "contract", title: "Transaction refused", message: `The contract refused: ${reverted.reason}.` };
    }
    if (data?.errorName === "Panic" || reverted.name === "ContractFunctionRevertedError") {
      const code = data?.errorName === "Panic" ? Number((data.args ?? [])[0]) : undefined;
      if (code !== undefined) {
        return {
          kind: "contract",
          title: "Contract error",
          message: `The contract stopped: ${PANIC_REASONS[code] ?? `panic 0x${code.toString(16)}`}. Nothing changed.`,
        };
      }
    }
    if (reverted.signature) {
      return {
        kind: "contract",
        title: "Transaction refused",
        message: `The contract refused with an error this app does not know (${String(reverted.signature)}). Nothing changed.`,
      };
    }
  }

  // 4b. Revert data elsewhere in the chain (raw RPC errors, a receipt replayed as a call).
  const withData = findInChain(error, (e) => isHex(e.data) && (e.data as string).length >= 10);
  if (withData) {
    const decoded = decodeRevertData(withData.data as Hex);
    if (decoded) return explainCustomError(decoded.errorName, decoded.args, ctx);
  }

  // 5. Gas money.
  if (findInChain(error, (e) => e.name === "InsufficientFundsError")) {
    return {
      kind: "funds",
      title: "No ETH for gas",
      message: "Your account has too little ETH to pay for gas on this network.",
    };
  }

  // 6. The node is not reachable.
  const http = findInChain(error, (e) => e.name === "HttpRequestError" || e.name === "TimeoutError" || e.name === "WebSocketRequestError");
  if (http) {
    return {
      kind: "network",
      title: "Node unreachable",
      message: `The blockchain node${typeof http.url === "string" ? ` at ${http.url}` : ""} did not answer. Is the devnet running (npm start)?`,
    };
  }

  // 7. Anything else: viem's short message is the best one-liner.
  if (error instanceof BaseError) {
    return { kind: "unknown", title: "Something went wrong", message: error.shortMessage };
  }
  if (error instanceof Error) return { kind: "unknown", title: "Something went wrong", message: error.message };
  return { kind: "unknown", title: "Something went wrong", message: String(error) };
}
