// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PaymentToken} from "../../../contracts/transaction/PaymentToken.sol";
import {ParticipantRegistry} from "../../../contracts/user/ParticipantRegistry.sol";
import {IParticipantRegistry} from "../../../contracts/interfaces/IParticipantRegistry.sol";
import {EnergyMarket} from "../../../contracts/market/EnergyMarket.sol";
import {IEnergyMarket} from "../../../contracts/interfaces/IEnergyMarket.sol";
import {ValidatorCommittee} from "../../../contracts/consensus/ValidatorCommittee.sol";
import {MeterLedger} from "../../../contracts/consensus/MeterLedger.sol";
import {IMeterLedger, IIntervalClock} from "../../../contracts/interfaces/IMeterLedger.sol";
import {IValidatorCommittee} from "../../../contracts/interfaces/IValidatorCommittee.sol";
import {EnergyCertificate} from "../../../contracts/transaction/EnergyCertificate.sol";

interface VmGas {
    function prank(address sender) external;
    function warp(uint256 timestamp) external;
    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function snapshotGasLastCall(string calldata group, string calldata name) external returns (uint256 gasUsed);
}

/// @notice Gas snapshot of the market's hot paths on the real contracts: placing bids and offers
/// (first order of an interval, later orders in a fresh and in a shared storage slot), cancel, take
/// (part and rest; escrowed and channel-paid), settling one take of each kind (each with its
/// seller), clearing a 10 × 10 book with the contract's own sort hints, and settling it on
/// metered delivery (offers, then bids) through the real consensus side: a ValidatorCommittee of 4
/// finalises the readings root with 3 signatures, the MeterLedger records the sellers' meter-signed
/// readings (and keeps credit scores), the EnergyCertificate mints the buyers' certificates.
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
    ValidatorCommittee private committee;
    MeterLedger private ledger;
    EnergyCertificate private certificate;
    /// @dev Test-only private keys (never used outside this test): four validators, two sellers' meters.
    uint256[4] private validatorKeys = [uint256(0xFA11), 0xFA12, 0xFA13, 0xFA14];
    uint256 private constant ALICE_METER_KEY = 0x3E7A;
    uint256 private constant CAROL_METER_KEY = 0x3E7C;

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
        address[] memory validators = new address[](4);
        for (uint256 i; i < 4; ++i) {
            validators[i] = vm.addr(validatorKeys[i]);
        }
        committee = new ValidatorCommittee(address(this), validators);
        ledger = new MeterLedger(
            address(this), registry, IValidatorCommittee(address(committee)), IIntervalClock(address(market)), 1_000_000
        );
        certificate = new EnergyCertificate(address(this), "");
        ledger.grantRole(ledger.SCORER_ROLE(), address(market));
        certificate.grantRole(certificate.MINTER_ROLE(), address(market));
        market.configureSettlement(
            address(ledger),
            address(certificate),
            IEnergyMarket.GridTariffs({
                imbalanceWeiPerKWh: 400_000,
                retailWeiPerKWh: 300_000,
                feedInWeiPerKWh: 80_000,
                defaultZoneFeeWeiPerKWh: 30_000
            })
        );
        _join(ALICE, IParticipantRegistry.Role.Prosumer, vm.addr(ALICE_METER_KEY));
        _join(CAROL, IParticipantRegistry.Role.Prosumer, vm.addr(CAROL_METER_KEY));
        _join(BOB, IParticipantRegistry.Role.Consumer, address(0xA003));
        _join(FRANK, IParticipantRegistry.Role.Consumer, address(0xA004));
    }

    function _join(address account, IParticipantRegistry.Role role, address meter) private {
        registry.registerFor(account, role, meter, 1);
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
        // The interval's first take starts its take counter and the seller's take sum: take once
        // before measuring. Each take stores a fresh take record (escrow, settled on delivery).
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
    function test_takeChannelOffer() public {
        vm.prank(ALICE);
        uint256 offer = market.placeChannelOffer(I, 250_001, WH, BOB);
        // As test_take: a first take starts the interval's take counter and the seller's take sum.
        // A channel-paid take locks nothing (the buyer pays through payment channels).
        vm.prank(BOB);
        market.take(offer, 101);
        vm.prank(BOB);
        market.take(offer, 400);
        vm.snapshotGasLastCall(GROUP, "take part of a channel offer");
        vm.prank(BOB);
        market.take(offer, 499);
        vm.snapshotGasLastCall(GROUP, "take the rest of a channel offer");
        require(market.getOrder(offer).energyWh == 0 && market.lockedBalanceOf(BOB) == 0, "taken, nothing locked");
    }

    /// hardhat-config: isolate = true
    function test_settleChannelTake() public {
        _settleOneTake(true);
        vm.snapshotGasLastCall(GROUP, "settle a channel-paid take (and its seller)");
        require(market.freeBalanceOf(BOB) == FUNDS && market.lockedBalanceOf(BOB) == 0, "bob paid off-chain");
        require(certificate.balanceOf(BOB, I) == 800, "certified");
    }

    /// hardhat-config: isolate = true
    function test_settleEscrowedTake() public {
        _settleOneTake(false);
        vm.snapshotGasLastCall(GROUP, "settle an escrowed take (and its seller)");
        require(market.freeBalanceOf(BOB) < FUNDS && market.lockedBalanceOf(BOB) == 0, "bob paid from escrow");
        require(certificate.balanceOf(BOB, I) == 800, "certified");
    }

    /// @dev bob takes all of an addressed offer of alice's (channel-paid or escrowed), alice delivers
    /// 80 %; the last call settles the take, which settles alice first (the same work in both tests).
    function _settleOneTake(bool channelPaid) private {
        vm.prank(ALICE);
        uint256 offer = channelPaid ? market.placeChannelOffer(I, PRICE, WH, BOB) : market.placeAddressedOffer(I, PRICE, WH, BOB);
        vm.prank(BOB);
        market.take(offer, WH);
        vm.warp(market.gateClosureTime(I));
        market.clear(I, "", "");
        _finalizeTwoReadings((WH * 4) / 5, 0, false);
        uint256[] memory ids = new uint256[](1);
        ids[0] = uint256(I) << 40 | 2 << 32; // the interval's first take
        market.settle(ids);
    }

    /// @dev alice's and carol's readings for I: the validators finalise their root, anyone records them;
    /// with `recordGas` both calls go into the gas snapshot.
    function _finalizeTwoReadings(uint32 aliceWh, uint32 carolWh, bool recordGas) private {
        vm.warp(market.intervalStartTime(I + 1));
        IMeterLedger.MeterReading[] memory readings = new IMeterLedger.MeterReading[](2);
        readings[0] = IMeterLedger.MeterReading(vm.addr(ALICE_METER_KEY), I, 0, aliceWh);
        readings[1] = IMeterLedger.MeterReading(vm.addr(CAROL_METER_KEY), I, 0, carolWh);
        bytes32 leaf0 = ledger.readingLeaf(readings[0]);
        bytes32 leaf1 = ledger.readingLeaf(readings[1]);
        bytes32 root = leaf0 < leaf1 ? keccak256(abi.encode(leaf0, leaf1)) : keccak256(abi.encode(leaf1, leaf0));
        committee.finalizeReadings(I, root, _quorumSignatures(committee.readingsDigest(I, root)));
        if (recordGas) vm.snapshotGasLastCall(GROUP, "finalizeReadings (3 of 4 validators)");
        bytes[] memory meterSignatures = new bytes[](2);
        meterSignatures[0] = _signature(ALICE_METER_KEY, ledger.readingDigest(readings[0]));
        meterSignatures[1] = _signature(CAROL_METER_KEY, ledger.readingDigest(readings[1]));
        bytes32[][] memory proofs = new bytes32[][](2);
        proofs[0] = new bytes32[](1);
        proofs[0][0] = leaf1;
        proofs[1] = new bytes32[](1);
        proofs[1][0] = leaf0;
        ledger.recordReadings(readings, meterSignatures, proofs);
        if (recordGas) vm.snapshotGasLastCall(GROUP, "recordReadings (2 sellers)");
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

        // Delivery: alice exports everything she sold, carol 80 % of it; the validators finalise the
        // root of the two readings, anyone records them.
        _finalizeTwoReadings(uint32(_sold(ALICE)), uint32((_sold(CAROL) * 4) / 5), true);
        market.settle(offers);
        vm.snapshotGasLastCall(GROUP, "settle 10 offers of 2 sellers (one batch)");
        market.settle(bids);
        vm.snapshotGasLastCall(GROUP, "settle 10 bids (one batch)");
        require(market.intervalState(I).unsettledOrders == 0, "all settled");
        require(market.lockedBalanceOf(BOB) == 0 && market.lockedBalanceOf(FRANK) == 0, "locks released");
        require(
            certificate.balanceOf(BOB, I) + certificate.balanceOf(FRANK, I) == market.settlementOf(I).deliveredWh,
            "certificates for the delivered energy"
        );
    }

    /// @dev What `seller` sold in I's auction (Σ fills of its offers).
    function _sold(address seller) private view returns (uint256 soldWh) {
        IEnergyMarket.Order[] memory orders = market.getOrders(I, IEnergyMarket.Side.Offer, 0, 100);
        for (uint256 i; i < orders.length; ++i) {
            if (orders[i].owner == seller) soldWh += orders[i].filledWh;
        }
    }

    function _signature(uint256 key, bytes32 digest) private pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev Signatures of 3 of the 4 validators (the quorum), in ascending signer order.
    function _quorumSignatures(bytes32 digest) private view returns (bytes[] memory signatures) {
        uint256[4] memory keys = validatorKeys;
        // Sort the 4 keys by their address (insertion sort).
        for (uint256 i = 1; i < 4; ++i) {
            for (uint256 j = i; j > 0 && vm.addr(keys[j]) < vm.addr(keys[j - 1]); --j) {
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
        signatures = new bytes[](3);
        for (uint256 i; i < 3; ++i) {
            signatures[i] = _signature(keys[i], digest);
        }
    }
}
