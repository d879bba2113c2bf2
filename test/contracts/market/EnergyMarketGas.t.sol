// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PaymentToken} from "../../../contracts/transaction/PaymentToken.sol";
import {ParticipantRegistry} from "../../../contracts/user/ParticipantRegistry.sol";
import {IParticipantRegistry} from "../../../contracts/interfaces/IParticipantRegistry.sol";
import {EnergyMarket} from "../../../contracts/market/EnergyMarket.sol";
import {IEnergyMarket} from "../../../contracts/interfaces/IEnergyMarket.sol";
import {DeliveryOracleMock} from "./mocks/DeliveryOracleMock.sol";

interface VmGas {
    function prank(address sender) external;
    function warp(uint256 timestamp) external;
    function snapshotGasLastCall(string calldata group, string calldata name) external returns (uint256 gasUsed);
}

/// @notice Gas snapshot of the market's hot paths on the real contracts: placing bids and offers
/// (first order of an interval, later orders in a fresh and in a shared storage slot), cancel, take
/// (part and rest), clearing a 10 × 10 book with the contract's own sort hints, and settling it on
/// metered delivery (offers, then bids; the ledger, committee and certificate are a mock here, so
/// their own costs — score update, ERC-1155 mint — are not in the figures).
/// Each operation is recorded with `snapshotGasLastCall` in snapshots/EnergyMarket.json, each test's
/// total in .gas-snapshot; `npm test` runs this file with `--snapshot-check`, so any change shows up
/// as a diff. After an intended change: `npm run gas:snapshot` and commit the two files.
/// Every test runs isolated (each top-level call its own transaction), so storage is cold at the
/// start of each call as it is on a real chain; the recorded figures are the calls' execution gas.
contract EnergyMarketGasTest {
    VmGas private constant vm = VmGas(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    string private constant GROUP = "EnergyMarket";

    PaymentToken private token;
    ParticipantRegistry private registry;
    EnergyMarket private market;
    DeliveryOracleMock private oracle;

    address private constant DSO = address(0xD50);
    address private constant ALICE = address(0xA11CE); // prosumer
    address private constant CAROL = address(0xCA201); // prosumer
    address private constant BOB = address(0xB0B); // consumer
    address private constant FRANK = address(0xF4A2C); // consumer
    uint256 private constant FUNDS = 1_000_000_000_000; // 1,000,000 PLC each, deposited in setUp

    uint64 private constant I = 0; // interval 0 starts an hour after setUp
    uint32 private constant PRICE = 250_000; // 0.25 PLC/kWh
    uint32 private constant WH = 1_000;

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
        _join(ALICE, IParticipantRegistry.Role.Prosumer, 0xA001);
        _join(CAROL, IParticipantRegistry.Role.Prosumer, 0xA002);
        _join(BOB, IParticipantRegistry.Role.Consumer, 0xA003);
        _join(FRANK, IParticipantRegistry.Role.Consumer, 0xA004);
    }

    function _join(address account, IParticipantRegistry.Role role, uint160 meter) private {
        registry.registerFor(account, role, address(meter), 1);
        token.mint(account, FUNDS);
        vm.prank(account);
        token.approve(address(market), FUNDS);
        vm.prank(account);
        market.deposit(FUNDS);
    }

    function _bid(address who, uint32 price, uint32 energyWh) private returns (uint256 id) {
        vm.prank(who);
        id = market.placeBid(I, price, energyWh);
    }

    function _offer(address who, uint32 price, uint32 energyWh) private returns (uint256 id) {
        vm.prank(who);
        id = market.placeOffer(I, price, energyWh);
    }

    /// hardhat-config: isolate = true
    function test_placeBidAndOffer() public {
        _bid(BOB, PRICE, WH);
        vm.snapshotGasLastCall(GROUP, "placeBid first order of the interval");
        _bid(FRANK, PRICE, WH);
        vm.snapshotGasLastCall(GROUP, "placeBid later, odd index (shared slot)");
        _bid(BOB, PRICE, WH);
        vm.snapshotGasLastCall(GROUP, "placeBid later, even index (fresh slot)");
        _offer(ALICE, PRICE, WH);
        vm.snapshotGasLastCall(GROUP, "placeOffer first offer, even index (fresh slot)");
        _offer(CAROL, PRICE, WH);
        vm.snapshotGasLastCall(GROUP, "placeOffer later, odd index (shared slot)");
        vm.prank(ALICE);
        market.placeAddressedOffer(I, PRICE, WH, BOB);
        vm.snapshotGasLastCall(GROUP, "placeAddressedOffer later, even index (fresh slot)");
        require(market.intervalState(I).bidCount == 3 && market.intervalState(I).offerCount == 3, "orders placed");
    }

    /// hardhat-config: isolate = true
    function test_cancel() public {
        uint256 bid = _bid(BOB, PRICE, WH);
        uint256 offer = _offer(ALICE, PRICE, WH);
        uint256 lockedBefore = market.lockedBalanceOf(BOB);
        vm.prank(BOB);
        market.cancel(bid);
        vm.snapshotGasLastCall(GROUP, "cancel bid (lock returned)");
        vm.prank(ALICE);
        market.cancel(offer);
        vm.snapshotGasLastCall(GROUP, "cancel offer");
        require(lockedBefore == 250_000 && market.lockedBalanceOf(BOB) == 0, "lock returned");
    }

    /// hardhat-config: isolate = true
    function test_take() public {
        uint256 offer = _offer(ALICE, 250_001, WH);
        // The DSO's first dust credit creates its vault account: take once before measuring.
        vm.prank(FRANK);
        market.take(offer, 101);
        vm.prank(BOB);
        market.take(offer, 400);
        vm.snapshotGasLastCall(GROUP, "take part of an offer");
        vm.prank(BOB);
        market.take(offer, 499);
        vm.snapshotGasLastCall(GROUP, "take the rest of an offer");
        require(market.getOrder(offer).energyWh == 0, "offer taken");
    }

    /// hardhat-config: isolate = true
    function test_clearAndSettle10x10() public {
        uint256[] memory bids = new uint256[](10);
        uint256[] memory offers = new uint256[](10);
        for (uint256 i; i < 10; ++i) {
            // bids 0.30–0.39 PLC/kWh, offers 0.20–0.29 PLC/kWh, 500–1,400 Wh: every bid crosses every offer
            bids[i] = _bid(i % 2 == 0 ? BOB : FRANK, uint32(300_000 + 10_007 * i), uint32(500 + 97 * ((i * 7) % 10)));
            offers[i] = _offer(i % 2 == 0 ? ALICE : CAROL, uint32(200_000 + 9_973 * ((i * 3) % 10)), uint32(500 + 89 * i));
        }
        vm.warp(market.gateClosureTime(I));
        (bytes memory bidHints, bytes memory offerHints) = market.sortHints(I);
        market.clear(I, bidHints, offerHints);
        vm.snapshotGasLastCall(GROUP, "clear 10 bids x 10 offers");
        IEnergyMarket.IntervalState memory state = market.intervalState(I);
        require(state.cleared && state.hasPrice, "cleared with a price");
        // Readings final: alice delivers everything she sold, carol 80 % of it.
        oracle.finalize(I);
        (, uint64 aliceSold,) = _sold(ALICE);
        (, uint64 carolSold,) = _sold(CAROL);
        oracle.setReading(ALICE, I, uint32(aliceSold));
        oracle.setReading(CAROL, I, uint32((carolSold * 4) / 5));
        market.settle(offers);
        vm.snapshotGasLastCall(GROUP, "settle 10 offers of 2 sellers (one batch)");
        market.settle(bids);
        vm.snapshotGasLastCall(GROUP, "settle 10 bids (one batch)");
        require(market.intervalState(I).unsettledOrders == 0, "all settled");
        require(market.lockedBalanceOf(BOB) == 0 && market.lockedBalanceOf(FRANK) == 0, "locks released");
    }

    /// @dev What `seller` sold in I's auction (Σ fills of its offers).
    function _sold(address seller) private view returns (bool, uint64 soldWh, uint64) {
        IEnergyMarket.Order[] memory orders = market.getOrders(I, IEnergyMarket.Side.Offer, 0, 100);
        for (uint256 i; i < orders.length; ++i) {
            if (orders[i].owner == seller) soldWh += orders[i].filledWh;
        }
        return (false, soldWh, 0);
    }
}
