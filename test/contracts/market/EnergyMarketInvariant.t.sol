// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {PaymentToken} from "../../../contracts/transaction/PaymentToken.sol";
import {ParticipantRegistry} from "../../../contracts/user/ParticipantRegistry.sol";
import {IParticipantRegistry} from "../../../contracts/interfaces/IParticipantRegistry.sol";
import {EnergyMarket} from "../../../contracts/market/EnergyMarket.sol";
import {IEnergyMarket} from "../../../contracts/interfaces/IEnergyMarket.sol";
import {ClearingMath} from "../../../contracts/libraries/ClearingMath.sol";

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

    EnergyMarket public immutable market;
    PaymentToken public immutable token;
    Trader[] public traders;

    uint64 public current; // the interval being traded
    uint256[] private _bidIds; // of `current`
    uint256[] private _offerIds;
    mapping(uint256 orderId => uint256) public lockOf;
    uint256 public ghostOpenLocks; // Σ locks of bids neither cancelled nor settled
    uint256 public ghostDeposited; // Σ deposits − Σ withdrawals
    uint256 public intervalsCleared;
    uint256 public tradesTaken;

    address private immutable _deployer;

    constructor(EnergyMarket market_, PaymentToken token_, Trader[] memory traders_) {
        _deployer = msg.sender;
        market = market_;
        token = token_;
        for (uint256 i; i < traders_.length; ++i) traders.push(traders_[i]);
    }

    /// @dev Setup only (the fuzzer's calls are ignored).
    function noteDeposit(uint256 amountWei) external {
        if (msg.sender != _deployer) return;
        ghostDeposited += amountWei;
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
        Trader t = traders[who % traders.length];
        if (o.cancelled || o.energyWh == 0 || address(t) == o.owner) return;
        uint32 e = uint32(1 + (energyWh % o.energyWh));
        if (e < MIN_WH && e != o.energyWh) e = o.energyWh < MIN_WH ? o.energyWh : MIN_WH;
        if (market.freeBalanceOf(address(t)) < ClearingMath.chargeWei(o.priceWeiPerKWh, e)) return;
        t.take(o.id, e);
        ++tradesTaken;
    }

    function withdraw(uint256 who, uint256 amountWei) external {
        Trader t = traders[who % traders.length];
        uint256 free = market.freeBalanceOf(address(t));
        if (free == 0) return;
        uint256 a = 1 + (amountWei % free);
        t.withdraw(a);
        ghostDeposited -= a;
    }

    /// Close the gate of the current interval, clear it with the view's hints, settle every
    /// auction order, and move on to the next interval.
    function clearAndSettle() external {
        vm.warp(market.gateClosureTime(current));
        (bytes memory b, bytes memory o) = market.sortHints(current);
        market.clear(current, b, o);
        uint256[] memory ids = new uint256[](_bidIds.length + _offerIds.length);
        uint256 n;
        uint256 settledLocks;
        for (uint256 i; i < _bidIds.length; ++i) {
            IEnergyMarket.Order memory x = market.getOrder(_bidIds[i]);
            if (x.cancelled) continue;
            ids[n++] = x.id;
            settledLocks += lockOf[x.id];
        }
        for (uint256 i; i < _offerIds.length; ++i) {
            IEnergyMarket.Order memory x = market.getOrder(_offerIds[i]);
            if (x.cancelled || x.energyWh == 0) continue;
            ids[n++] = x.id;
        }
        assembly ("memory-safe") {
            mstore(ids, n)
        }
        market.settle(ids);
        ghostOpenLocks -= settledLocks;
        require(market.intervalState(current).unsettledOrders == 0, "interval left unsettled");
        delete _bidIds;
        delete _offerIds;
        ++current;
        ++intervalsCleared;
    }
}

/// @notice Invariants of the vault under random trading: the market always holds exactly the
/// tokens its accounts own, and the locked balances are exactly the locks of open bids.
contract EnergyMarketInvariantTest {
    PaymentToken private token;
    ParticipantRegistry private registry;
    EnergyMarket private market;
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
        handler = new MarketHandler(market, token, traders);
        for (uint256 i; i < traders.length; ++i) {
            token.mint(address(traders[i]), 10_000_000_000);
            traders[i].deposit(10_000_000_000);
            handler.noteDeposit(10_000_000_000);
        }
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
        require(locked == handler.ghostOpenLocks(), "locked != locks of open bids");
    }

    /// A deterministic run through the handler, so the happy path is covered whatever the fuzzer picks.
    function test_handlerRoundTrip() public {
        for (uint256 round; round < 3; ++round) {
            for (uint256 i; i < 12; ++i) {
                handler.placeBid(i, 400_000 + i * 37_001, 300 + i * 211);
                handler.placeOffer(i + 1, 200_000 + i * 41_003, 250 + i * 197);
            }
            handler.take(3, 1, 777);
            handler.cancel(5, true);
            handler.cancel(2, false);
            handler.clearAndSettle();
            invariant_vaultHoldsExactlyWhatAccountsOwn();
            invariant_lockedEqualsOpenBidLocks();
        }
        require(handler.intervalsCleared() == 3, "round trip");
    }
}
