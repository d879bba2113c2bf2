// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {PaymentToken} from "../../../contracts/transaction/PaymentToken.sol";
import {ParticipantRegistry} from "../../../contracts/user/ParticipantRegistry.sol";
import {IParticipantRegistry} from "../../../contracts/interfaces/IParticipantRegistry.sol";
import {EnergyMarket} from "../../../contracts/market/EnergyMarket.sol";
import {IEnergyMarket} from "../../../contracts/interfaces/IEnergyMarket.sol";
import {ClearingMath} from "../../../contracts/libraries/ClearingMath.sol";
import {DeliveryOracleMock} from "./mocks/DeliveryOracleMock.sol";

interface VmInvariant {
    function warp(uint256 timestamp) external;
}

/// @dev A market participant: a contract so that each trader has its own msg.sender.
contract Trader {
    EnergyMarket private immutable _market;

    constructor(EnergyMarket market_, IERC20 token) {
        _market = market_;
        token.approve(address(market_), type(uint256).max);
    }

    function deposit(uint256 amountWei) external {
        _market.deposit(amountWei);
    }

    function withdraw(uint256 amountWei) external {
        _market.withdraw(amountWei);
    }

    function placeBid(uint64 interval, uint32 price, uint32 energyWh) external returns (uint256) {
        return _market.placeBid(interval, price, energyWh);
    }

    function placeOffer(uint64 interval, uint32 price, uint32 energyWh) external returns (uint256) {
        return _market.placeOffer(interval, price, energyWh);
    }

    function placeChannelOffer(uint64 interval, uint32 price, uint32 energyWh, address buyer) external returns (uint256) {
        return _market.placeChannelOffer(interval, price, energyWh, buyer);
    }

    function cancel(uint256 id) external {
        _market.cancel(id);
    }

    function take(uint256 id, uint32 energyWh) external {
        _market.take(id, energyWh);
    }
}

/// @dev Drives the market with random but valid actions and keeps ghost totals.
contract MarketHandler {
    VmInvariant private constant vm = VmInvariant(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    uint32 internal constant CAP = 1_000_000;
    uint32 internal constant FLOOR = 1_000;
    uint32 internal constant MIN_WH = 100;

    uint32 internal constant IMBALANCE = 400_000; // grid tariff for shortfalls, per kWh
    uint32 internal constant ZONE_FEE = 30_000; // default zone grid fee, per kWh

    EnergyMarket public immutable market;
    PaymentToken public immutable token;
    DeliveryOracleMock public immutable oracle;
    Trader[] public traders;

    uint64 public current; // the interval being traded
    uint256[] private _bidIds; // of `current`
    uint256[] private _offerIds;
    mapping(uint256 orderId => uint256) public lockOf;
    /// @dev A take of `current`: trader indexes, the offer's price, the Wh taken, paid off-chain.
    struct TakeInfo {
        uint256 buyer;
        uint256 seller;
        uint256 priceWeiPerKWh;
        uint256 energyWh;
        bool channelPaid;
    }
    uint256[] private _takeIds; // of `current`, in the order they were taken
    mapping(uint256 takeId => TakeInfo) private _takeInfo;
    uint256 public ghostOpenLocks; // Σ locks of bids and takes neither cancelled nor settled
    uint256 public ghostDeposited; // Σ deposits − Σ withdrawals
    uint256 public intervalsCleared;
    uint256 public tradesTaken;
    uint256 public channelTradesTaken; // of which paid through payment channels (nothing escrowed)
    uint256 public ghostDeliveredWh; // Σ over settled intervals of delivered Wh of auction trades and takes
    uint256 public ghostCertifiedWh; // Σ certificates minted (read from the oracle)
    uint256 public ghostShortfallWh; // Σ sold − delivered
    uint256 public ghostEscrowedTakeFeesWei; // Σ grid fees the model expects escrowed takes' sellers to pay
    uint256 public ghostChannelTakeFeesWei; // Σ grid fees the model expects channel-paid takes' sellers to pay

    address private immutable _deployer;

    constructor(EnergyMarket market_, PaymentToken token_, DeliveryOracleMock oracle_, Trader[] memory traders_) {
        _deployer = msg.sender;
        market = market_;
        token = token_;
        oracle = oracle_;
        for (uint256 i; i < traders_.length; ++i) traders.push(traders_[i]);
    }

    /// @dev True once setUp is done: from then on noteDeposit ignores every call. Checking the
    /// sender alone is not enough — the fuzzer also calls with the test contract as sender.
    bool public setupSealed;

    /// @dev Setup only (the fuzzer's calls are ignored).
    function noteDeposit(uint256 amountWei) external {
        if (msg.sender != _deployer || setupSealed) return;
        ghostDeposited += amountWei;
    }

    /// @dev Ends the setup phase (idempotent; harmless if the fuzzer calls it).
    function sealSetup() external {
        setupSealed = true;
    }

    function traderCount() external view returns (uint256) {
        return traders.length;
    }

    function placeBid(uint256 who, uint256 price, uint256 energyWh) external {
        Trader t = traders[who % traders.length];
        uint32 p = uint32(FLOOR + (price % (CAP - FLOOR + 1)));
        uint32 e = uint32(MIN_WH + (energyWh % 5_000));
        uint256 lock = ClearingMath.chargeWei(p, e);
        if (market.freeBalanceOf(address(t)) < lock || _bidIds.length >= 40) return;
        uint256 id = t.placeBid(current, p, e);
        lockOf[id] = lock;
        ghostOpenLocks += lock;
        _bidIds.push(id);
    }

    function placeOffer(uint256 who, uint256 price, uint256 energyWh) external {
        if (_offerIds.length >= 40) return;
        Trader t = traders[who % traders.length];
        uint32 p = uint32(FLOOR + (price % (CAP - FLOOR + 1)));
        uint32 e = uint32(MIN_WH + (energyWh % 5_000));
        _offerIds.push(t.placeOffer(current, p, e));
    }

    /// @dev An offer addressed to `buyer`, paid through payment channels (its takes lock nothing).
    function placeChannelOffer(uint256 who, uint256 buyer, uint256 price, uint256 energyWh) external {
        if (_offerIds.length >= 40) return;
        uint256 n = traders.length;
        Trader t = traders[who % n];
        Trader b = traders[buyer % n];
        if (b == t) b = traders[(buyer + 1) % n];
        uint32 p = uint32(FLOOR + (price % (CAP - FLOOR + 1)));
        uint32 e = uint32(MIN_WH + (energyWh % 5_000));
        _offerIds.push(t.placeChannelOffer(current, p, e, address(b)));
    }

    function cancel(uint256 pick, bool bid) external {
        uint256[] storage ids = bid ? _bidIds : _offerIds;
        if (ids.length == 0) return;
        IEnergyMarket.Order memory o = market.getOrder(ids[pick % ids.length]);
        if (o.cancelled || o.energyWh == 0) return;
        Trader(o.owner).cancel(o.id);
        if (bid) ghostOpenLocks -= lockOf[o.id];
    }

    function take(uint256 pick, uint256 who, uint256 energyWh) external {
        if (_offerIds.length == 0) return;
        IEnergyMarket.Order memory o = market.getOrder(_offerIds[pick % _offerIds.length]);
        Trader t = o.addressedTo != address(0) ? Trader(o.addressedTo) : traders[who % traders.length];
        if (o.cancelled || o.energyWh == 0 || address(t) == o.owner || _takeIds.length >= 40) return;
        uint32 e = uint32(1 + (energyWh % o.energyWh));
        if (e < MIN_WH && e != o.energyWh) e = o.energyWh < MIN_WH ? o.energyWh : MIN_WH;
        uint256 lock = o.channelPaid ? 0 : ClearingMath.chargeWei(o.priceWeiPerKWh, e);
        if (market.freeBalanceOf(address(t)) < lock) return;
        t.take(o.id, e);
        // The handler makes every take: the interval's n-th take has id current << 40 | 2 << 32 | n.
        uint256 id = (uint256(current) << 40) | (2 << 32) | _takeIds.length;
        _takeIds.push(id);
        _takeInfo[id] = TakeInfo(_traderIndex(address(t)), _traderIndex(o.owner), o.priceWeiPerKWh, e, o.channelPaid);
        ghostOpenLocks += lock; // escrowed until the take settles (0 for a channel-paid take)
        ++tradesTaken;
        if (o.channelPaid) ++channelTradesTaken;
    }

    function withdraw(uint256 who, uint256 amountWei) external {
        Trader t = traders[who % traders.length];
        uint256 free = market.freeBalanceOf(address(t));
        if (free == 0) return;
        uint256 a = 1 + (amountWei % free);
        t.withdraw(a);
        ghostDeposited -= a;
    }

    /// Close the gate of the current interval, clear it with the view's hints, attest random
    /// deliveries (each seller exports 0 … 125 % of what it sold, by `deliverySeed`), settle every
    /// auction order and take (offers, takes, then bids) and check the money and the energy against a model of
    /// the settlement rule; then move on to the next interval.
    function clearAndSettle(uint256 deliverySeed) external {
        vm.warp(market.gateClosureTime(current));
        (bytes memory b, bytes memory o) = market.sortHints(current);
        market.clear(current, b, o);
        (uint256[] memory offerIds, uint256[] memory soldOf) = _liveOffers();
        (uint256[] memory bidIds, uint256 settledLocks) = _liveBids();
        uint256[] memory takenOf = _takenBySeller();

        // Deliveries and the model's expectation per trader (index n = the DSO).
        uint256 n = traders.length;
        int256[] memory expected = new int256[](n + 1);
        uint256[] memory takesDeliveredOf = new uint256[](n);
        uint256 deliveredWh = _deliver(deliverySeed, soldOf, takenOf, takesDeliveredOf, expected);
        _expectBuyers(bidIds, deliveredWh, expected);
        (uint256 takesDeliveredWh, uint256 takeLocks) = _expectTakes(takenOf, takesDeliveredOf, expected);

        int256[] memory before = _balances();
        market.settle(offerIds);
        market.settle(_takeIds);
        market.settle(bidIds);
        ghostOpenLocks -= settledLocks + takeLocks;
        int256[] memory afterwards = _balances();

        int256 sum;
        for (uint256 i; i <= n; ++i) {
            require(afterwards[i] - before[i] == expected[i], "settlement differs from the rule");
            sum += afterwards[i] - before[i];
        }
        require(sum == 0, "settlement created or destroyed money");
        require(market.intervalState(current).unsettledOrders == 0, "interval left unsettled");
        IEnergyMarket.IntervalSettlement memory st = market.settlementOf(current);
        require(st.deliveredWh == deliveredWh && st.buyersDeliveredWh == deliveredWh, "delivered Wh");
        require(oracle.mintedWh(current) == deliveredWh + takesDeliveredWh, "certificates != attested delivered Wh");
        ghostDeliveredWh += deliveredWh + takesDeliveredWh;
        ghostCertifiedWh += oracle.mintedWh(current);
        delete _bidIds;
        delete _offerIds;
        delete _takeIds;
        ++current;
        ++intervalsCleared;
    }

    /// @dev Live auction offers of `current` and what each trader sold.
    function _liveOffers() private view returns (uint256[] memory ids, uint256[] memory soldOf) {
        ids = new uint256[](_offerIds.length);
        soldOf = new uint256[](traders.length);
        uint256 n;
        for (uint256 i; i < _offerIds.length; ++i) {
            IEnergyMarket.Order memory x = market.getOrder(_offerIds[i]);
            if (x.cancelled || x.energyWh == 0 || x.addressedTo != address(0)) continue;
            ids[n++] = x.id;
            soldOf[_traderIndex(x.owner)] += x.filledWh;
        }
        assembly ("memory-safe") {
            mstore(ids, n)
        }
    }

    function _liveBids() private view returns (uint256[] memory ids, uint256 locks) {
        ids = new uint256[](_bidIds.length);
        uint256 n;
        for (uint256 i; i < _bidIds.length; ++i) {
            IEnergyMarket.Order memory x = market.getOrder(_bidIds[i]);
            if (x.cancelled) continue;
            ids[n++] = x.id;
            locks += lockOf[x.id];
        }
        assembly ("memory-safe") {
            mstore(ids, n)
        }
    }

    /// @dev Wh taken from each trader's offers in `current`.
    function _takenBySeller() private view returns (uint256[] memory takenOf) {
        takenOf = new uint256[](traders.length);
        for (uint256 k; k < _takeIds.length; ++k) {
            TakeInfo memory t = _takeInfo[_takeIds[k]];
            takenOf[t.seller] += t.energyWh;
        }
    }

    /// @dev Attest each seller's export (S = auction fills + takes, D = min(export, S)); the auction
    /// part floor(D × A / S) is paid at the clearing price here (payout − fee − imbalance on S − D;
    /// DSO: fee + imbalance), the rest goes to the takes (`takesDeliveredOf`). Returns Σ auction parts.
    function _deliver(
        uint256 seed,
        uint256[] memory soldOf,
        uint256[] memory takenOf,
        uint256[] memory takesDeliveredOf,
        int256[] memory expected
    ) private returns (uint256 total) {
        uint256 p = market.intervalState(current).clearingPriceWeiPerKWh;
        oracle.finalize(current);
        for (uint256 i; i < traders.length; ++i) {
            uint256 sold = soldOf[i] + takenOf[i];
            uint256 exported = sold == 0 ? 0 : (sold * (uint256(keccak256(abi.encode(seed, i))) % 126)) / 100;
            oracle.setReading(address(traders[i]), current, uint32(exported));
            if (sold == 0) continue;
            uint256 d = exported < sold ? exported : sold;
            ghostShortfallWh += sold - d;
            uint256 auctionD = (d * soldOf[i]) / sold;
            takesDeliveredOf[i] = d - auctionD;
            total += auctionD;
            _expectSeller(i, p, auctionD, sold - d, expected);
        }
    }

    function _expectSeller(uint256 i, uint256 p, uint256 auctionD, uint256 shortWh, int256[] memory expected)
        private
        view
    {
        (uint256 gross, uint256 fee) = _sale(p, auctionD);
        uint256 imbalance = ClearingMath.chargeWei(IMBALANCE, shortWh);
        expected[i] += int256(gross) - int256(fee) - int256(imbalance);
        expected[traders.length] += int256(fee) + int256(imbalance) - int256(gross);
    }

    /// @dev The model's one grid-fee rule of every sale (auction part, escrowed and channel-paid
    /// take): `d` Wh at `p` earn floor(p × d / 1000); the zone fee ceil(fee × d / 1000) is capped at that.
    function _sale(uint256 p, uint256 d) private pure returns (uint256 gross, uint256 fee) {
        gross = ClearingMath.payoutWei(p, d);
        fee = ClearingMath.chargeWei(ZONE_FEE, d);
        if (fee > gross) fee = gross;
    }

    /// @dev Expected take settlements in take order: each take gets its cumulative-floor share of
    /// its seller's takes' delivery, the buyer pays ceil, the seller gets floor minus the grid fee
    /// on d (_sale), the DSO the fee and the dust. A channel-paid take moves no money between buyer
    /// and seller (paid off-chain): the seller pays the same grid fee on d to the DSO.
    function _expectTakes(uint256[] memory takenOf, uint256[] memory takesDeliveredOf, int256[] memory expected)
        private
        returns (uint256 total, uint256 locks)
    {
        uint256[] memory settledOf = new uint256[](traders.length);
        for (uint256 k; k < _takeIds.length; ++k) {
            TakeInfo memory t = _takeInfo[_takeIds[k]];
            uint256 j = t.seller;
            uint256 before = (settledOf[j] * takesDeliveredOf[j]) / takenOf[j];
            settledOf[j] += t.energyWh;
            uint256 d = (settledOf[j] * takesDeliveredOf[j]) / takenOf[j] - before;
            require(d <= t.energyWh, "take delivered above its Wh");
            total += d;
            (uint256 gross, uint256 fee) = _sale(t.priceWeiPerKWh, d);
            if (t.channelPaid) {
                expected[j] -= int256(fee);
                expected[traders.length] += int256(fee);
                ghostChannelTakeFeesWei += fee;
                continue;
            }
            locks += ClearingMath.chargeWei(t.priceWeiPerKWh, t.energyWh);
            uint256 amount = ClearingMath.chargeWei(t.priceWeiPerKWh, d);
            // The buyer's lock = refund (lock − amount) + seller (gross − fee) + DSO (fee + amount − gross).
            expected[t.buyer] -= int256(amount);
            expected[j] += int256(gross) - int256(fee);
            expected[traders.length] += int256(amount) - int256(gross) + int256(fee);
            ghostEscrowedTakeFeesWei += fee;
        }
    }

    /// @dev Expected buyer charges by cumulative rounding in settlement order; the DSO collects them
    /// (with the sellers' gross already subtracted above, what is left is the dust).
    function _expectBuyers(uint256[] memory bidIds, uint256 deliveredWh, int256[] memory expected) private view {
        IEnergyMarket.IntervalState memory state = market.intervalState(current);
        uint256 filledBefore;
        for (uint256 i; i < bidIds.length; ++i) {
            IEnergyMarket.Order memory x = market.getOrder(bidIds[i]);
            if (x.filledWh == 0) continue;
            uint256 d = ((filledBefore + x.filledWh) * deliveredWh) / state.clearedWh
                - (filledBefore * deliveredWh) / state.clearedWh;
            require(d <= x.filledWh, "delivered above fill");
            filledBefore += x.filledWh;
            uint256 charge = ClearingMath.chargeWei(state.clearingPriceWeiPerKWh, d);
            expected[_traderIndex(x.owner)] -= int256(charge);
            expected[traders.length] += int256(charge);
        }
    }

    /// @dev free + locked of each trader, and the DSO's free balance last.
    function _balances() private view returns (int256[] memory b) {
        b = new int256[](traders.length + 1);
        for (uint256 i; i < traders.length; ++i) {
            address t = address(traders[i]);
            b[i] = int256(market.freeBalanceOf(t) + market.lockedBalanceOf(t));
        }
        b[traders.length] = int256(market.freeBalanceOf(market.dso()));
    }

    function _traderIndex(address a) private view returns (uint256) {
        for (uint256 i; i < traders.length; ++i) {
            if (address(traders[i]) == a) return i;
        }
        revert("not a trader");
    }
}

/// @notice Invariants of the vault under random trading and random metered deliveries: the market
/// always holds exactly the tokens its accounts own (intervals are settled whole inside one handler
/// call), the locked balances are exactly the locks of open bids and unsettled escrowed takes
/// (channel-paid takes lock nothing), each settlement pays exactly what the rule says (checked in
/// the handler), and certificates are minted for exactly the attested delivered Wh of the auction
/// trades and takes.
contract EnergyMarketInvariantTest {
    PaymentToken private token;
    ParticipantRegistry private registry;
    EnergyMarket private market;
    DeliveryOracleMock private oracle;
    MarketHandler private handler;
    address private constant DSO = address(0xD50);

    function setUp() public {
        token = new PaymentToken(address(this), false);
        registry = new ParticipantRegistry(address(this), address(this));
        IEnergyMarket.MarketParams memory params = IEnergyMarket.MarketParams({
            priceCapWeiPerKWh: 1_000_000,
            priceFloorWeiPerKWh: 1_000,
            minOrderWh: 100,
            maxOrdersPerSide: 100,
            kNumerator: 1,
            kDenominator: 2,
            intervalSeconds: 900,
            gateLeadSeconds: 300
        });
        market = new EnergyMarket(address(this), address(registry), token, DSO, params, block.timestamp + 3_600);
        registry.addListener(address(market));
        oracle = new DeliveryOracleMock();
        market.configureSettlement(
            address(oracle),
            address(oracle),
            IEnergyMarket.GridTariffs({
                imbalanceWeiPerKWh: 400_000,
                retailWeiPerKWh: 300_000,
                feedInWeiPerKWh: 80_000,
                defaultZoneFeeWeiPerKWh: 30_000
            })
        );
        Trader[] memory traders = new Trader[](4);
        for (uint256 i; i < traders.length; ++i) {
            traders[i] = new Trader(market, token);
            registry.registerFor(
                address(traders[i]),
                i == 3 ? IParticipantRegistry.Role.Aggregator : IParticipantRegistry.Role.Prosumer,
                address(uint160(0xA000 + i)),
                1
            );
        }
        handler = new MarketHandler(market, token, oracle, traders);
        for (uint256 i; i < traders.length; ++i) {
            token.mint(address(traders[i]), 10_000_000_000);
            traders[i].deposit(10_000_000_000);
            handler.noteDeposit(10_000_000_000);
        }
        handler.sealSetup();
    }

    /// @dev Only the handler is called by the invariant fuzzer.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function _totals() private view returns (uint256 free, uint256 locked) {
        for (uint256 i; i < handler.traderCount(); ++i) {
            address t = address(handler.traders(i));
            free += market.freeBalanceOf(t);
            locked += market.lockedBalanceOf(t);
        }
        free += market.freeBalanceOf(DSO);
    }

    /// hardhat-config: invariant.runs = 24
    /// hardhat-config: invariant.depth = 40
    function invariant_vaultHoldsExactlyWhatAccountsOwn() public view {
        (uint256 free, uint256 locked) = _totals();
        require(token.balanceOf(address(market)) == free + locked, "vault balance != free + locked");
        require(token.balanceOf(address(market)) == handler.ghostDeposited(), "vault balance != deposits - withdrawals");
    }

    /// hardhat-config: invariant.runs = 24
    /// hardhat-config: invariant.depth = 40
    function invariant_lockedEqualsOpenBidLocks() public view {
        (, uint256 locked) = _totals();
        require(locked == handler.ghostOpenLocks(), "locked != locks of open bids and takes");
    }

    /// hardhat-config: invariant.runs = 24
    /// hardhat-config: invariant.depth = 40
    function invariant_certificatesEqualDeliveredEnergy() public view {
        require(handler.ghostCertifiedWh() == handler.ghostDeliveredWh(), "certificates != delivered");
    }

    /// A deterministic run through the handler, so the happy path is covered whatever the fuzzer picks.
    function test_handlerRoundTrip() public {
        for (uint256 round; round < 3; ++round) {
            for (uint256 i; i < 12; ++i) {
                handler.placeBid(i, 400_000 + i * 37_001, 300 + i * 211);
                handler.placeOffer(i + 1, 200_000 + i * 41_003, 250 + i * 197);
            }
            handler.take(3, 1, 777);
            handler.placeChannelOffer(round, round + 2, 150_000 + round * 30_011, 600 + round * 101);
            handler.take(12, 0, 400); // the channel offer (offer index 12), by its addressed buyer
            handler.cancel(5, true);
            handler.cancel(2, false);
            handler.clearAndSettle(round);
            invariant_vaultHoldsExactlyWhatAccountsOwn();
            invariant_lockedEqualsOpenBidLocks();
        }
        require(handler.intervalsCleared() == 3 && handler.channelTradesTaken() == 3, "round trip");
        require(handler.ghostDeliveredWh() > 0 && handler.ghostShortfallWh() > 0, "round trip deliveries");
        require(handler.ghostEscrowedTakeFeesWei() > 0 && handler.ghostChannelTakeFeesWei() > 0, "round trip take fees");
    }
}
