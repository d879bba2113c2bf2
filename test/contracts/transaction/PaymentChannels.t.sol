// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {PaymentChannels} from "../../../contracts/transaction/PaymentChannels.sol";
import {PaymentToken} from "../../../contracts/transaction/PaymentToken.sol";
import {IPaymentChannels} from "../../../contracts/interfaces/IPaymentChannels.sol";

/// @dev The few cheatcodes used here (forge-std is not available offline).
interface Vm {
    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function prank(address sender) external;
    function roll(uint256 newHeight) external;
}

Vm constant VM = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

// =========================================================================== reentrancy

/// @dev A hostile token: on every transfer to a contract that asked for it, it calls that contract
/// back (like ERC-777 hooks), so a payee can try to re-enter the channel during its payout.
contract CallbackToken is ERC20 {
    mapping(address => bool) public wantsCallback;

    constructor() ERC20("Callback", "CB") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setWantsCallback(bool on) external {
        wantsCallback[msg.sender] = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (wantsCallback[to]) Attacker(to).onTokenReceived();
    }
}

/// @dev A channel party that re-enters `withdraw` (and `deposit`) from the token's callback.
contract Attacker {
    PaymentChannels public immutable channels;
    CallbackToken public immutable token;
    uint256 public channelId;
    bytes public withdrawAgainError;
    bytes public depositAgainError;
    uint256 public callbacks;

    constructor(PaymentChannels channels_, CallbackToken token_) {
        channels = channels_;
        token = token_;
    }

    function openAndClose(address counterparty, uint256 amount) external {
        token.approve(address(channels), type(uint256).max);
        channelId = channels.open(counterparty, amount, 1);
        channels.close(
            IPaymentChannels.BalanceProof({
                channelId: channelId,
                nonce: 0,
                transferredAToBWei: 0,
                transferredBToAWei: 0,
                locksRoot: bytes32(0)
            }),
            "",
            ""
        );
    }

    function withdraw() external {
        token.setWantsCallback(true);
        channels.withdraw(channelId);
    }

    function onTokenReceived() external {
        if (msg.sender != address(token) || callbacks > 0) return;
        ++callbacks;
        try channels.withdraw(channelId) {} catch (bytes memory reason) {
            withdrawAgainError = reason;
        }
        try channels.deposit(channelId, 1) {} catch (bytes memory reason) {
            depositAgainError = reason;
        }
    }
}

contract PaymentChannelsReentrancyTest {
    function testReentrantTokenOnWithdrawPaysOnce() public {
        CallbackToken token = new CallbackToken();
        PaymentChannels channels = new PaymentChannels(IERC20(address(token)), address(this), 1, 100);
        Attacker attacker = new Attacker(channels, token);
        token.mint(address(attacker), 1_000);
        // Someone else's money in the contract: what a reentrancy would try to steal.
        token.mint(address(this), 5_000);
        token.approve(address(channels), type(uint256).max);
        channels.open(address(0xB0B), 5_000, 100);

        attacker.openAndClose(address(0xCAFE), 1_000);
        VM.roll(block.number + 2);
        channels.settle(attacker.channelId());
        attacker.withdraw();

        require(attacker.callbacks() == 1, "callback ran");
        bytes4 guard = ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector;
        require(bytes4(attacker.withdrawAgainError()) == guard, "re-entered withdraw must hit the guard");
        require(bytes4(attacker.depositAgainError()) == guard, "re-entered deposit must hit the guard");
        require(token.balanceOf(address(attacker)) == 1_000, "paid exactly once");
        require(token.balanceOf(address(channels)) == 5_000, "other channels untouched");

        // And a plain second withdraw finds nothing.
        (bool ok, bytes memory reason) = address(attacker).call(abi.encodeCall(Attacker.withdraw, ()));
        require(!ok, "second withdraw must fail");
        require(
            keccak256(reason)
                == keccak256(
                    abi.encodeWithSelector(
                        IPaymentChannels.ChannelNothingToWithdraw.selector, attacker.channelId(), address(attacker)
                    )
                ),
            "ChannelNothingToWithdraw(channelId, attacker)"
        );
        require(token.balanceOf(address(channels)) == 5_000, "nothing lost");
    }
}

// ================================================================================= fuzz

/// @notice The payout rule on arbitrary signed amounts: always sums to the deposits, and matches
/// the documented formula (every amount capped at the deposits, A's payout clamped to [0, T]).
contract PaymentChannelsPayoutFuzzTest {
    uint256 internal constant KEY_A = 0xA11CE;
    uint256 internal constant KEY_B = 0xB0B;

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function testFuzz_payoutsSumToDepositsAndFollowTheRule(
        uint72 depositA,
        uint72 depositB,
        uint256 aToB,
        uint256 bToA
    ) public {
        uint256 maxEach = type(uint72).max / 2;
        uint256 depA = uint256(depositA) % maxEach;
        uint256 depB = uint256(depositB) % maxEach;
        PaymentToken token = new PaymentToken(address(this), false);
        PaymentChannels channels = new PaymentChannels(IERC20(address(token)), address(this), 1, 10);
        address a = VM.addr(KEY_A);
        address b = VM.addr(KEY_B);
        token.mint(a, depA);
        token.mint(b, depB);
        VM.prank(a);
        token.approve(address(channels), depA);
        VM.prank(b);
        token.approve(address(channels), depB);
        VM.prank(a);
        uint256 id = channels.open(b, depA, 5);
        if (depB > 0) {
            VM.prank(b);
            channels.deposit(id, depB);
        }
        IPaymentChannels.BalanceProof memory p = IPaymentChannels.BalanceProof({
            channelId: id,
            nonce: 1,
            transferredAToBWei: aToB,
            transferredBToAWei: bToA,
            locksRoot: bytes32(0)
        });
        bytes32 digest = channels.hashBalanceProof(p);
        VM.prank(b);
        channels.close(p, _sign(KEY_A, digest), _sign(KEY_B, digest));

        uint256 total = depA + depB;
        uint256 cappedAToB = aToB < total ? aToB : total;
        uint256 cappedBToA = bToA < total ? bToA : total;
        uint256 inA = depA + cappedBToA;
        uint256 expectedA = inA > cappedAToB ? inA - cappedAToB : 0;
        if (expectedA > total) expectedA = total;
        (uint256 payoutA, uint256 payoutB) = channels.previewPayouts(id);
        require(payoutA + payoutB == total, "payouts must sum to the deposits");
        require(payoutA == expectedA, "payout of A follows the documented rule");

        VM.roll(block.number + 6);
        channels.settle(id);
        if (payoutA > 0) {
            VM.prank(a);
            channels.withdraw(id);
        }
        if (payoutB > 0) {
            VM.prank(b);
            channels.withdraw(id);
        }
        require(token.balanceOf(a) == payoutA && token.balanceOf(b) == payoutB, "paid exactly the payouts");
        require(token.balanceOf(address(channels)) == 0, "nothing left behind");
    }
}

// ============================================================================ invariant

/// @dev Drives PaymentChannels with random sequences of every operation, between three key-holding
/// actors, signing random (also over-the-deposit) balance proofs with random locks. Ghost totals
/// record what went in and what came out of each channel.
contract ChannelsHandler {
    uint256 internal constant ACTORS = 3;
    uint256 internal constant MAX_CHANNELS = 6;
    uint256 internal constant MAX_AMOUNT = 1_000e6;

    PaymentChannels public immutable channels;
    PaymentToken public immutable token;

    struct Signed {
        IPaymentChannels.BalanceProof proof;
        bytes sigA;
        bytes sigB;
        IPaymentChannels.Lock lock;
        bytes32 secret;
        bool exists;
    }

    uint256[] public channelIds;
    mapping(uint256 channelId => uint256) public ghostDeposited;
    mapping(uint256 channelId => uint256) public ghostWithdrawn;
    mapping(uint256 channelId => uint256) internal keyA;
    mapping(uint256 channelId => uint256) internal keyB;
    mapping(uint256 channelId => uint64) internal nonces;
    mapping(uint256 channelId => Signed) internal latest;
    mapping(uint256 channelId => Signed) internal older;
    uint256 public ghostTotalDeposited;
    uint256 public ghostTotalWithdrawn;
    uint256 public calls;
    /// @dev Successful operations, to check the fuzzer reaches every state.
    mapping(bytes4 selector => uint256) public successes;

    constructor(PaymentChannels channels_, PaymentToken token_) {
        channels = channels_;
        token = token_;
    }

    function channelCount() external view returns (uint256) {
        return channelIds.length;
    }

    function _key(uint256 seed) internal pure returns (uint256) {
        return 1 + (seed % ACTORS);
    }

    function _channel(uint256 seed) internal view returns (uint256 id, bool ok) {
        if (channelIds.length == 0) return (0, false);
        return (channelIds[seed % channelIds.length], true);
    }

    function _fund(address who, uint256 amount) internal {
        token.mint(who, amount);
        VM.prank(who);
        token.approve(address(channels), type(uint256).max);
    }

    function open(uint256 actorSeed, uint256 otherSeed, uint256 amount, uint64 period) external {
        ++calls;
        if (channelIds.length >= MAX_CHANNELS) return;
        uint256 ka = _key(actorSeed);
        uint256 kb = _key(otherSeed);
        if (ka == kb) kb = 1 + (kb % ACTORS);
        amount = amount % MAX_AMOUNT;
        period = 1 + (period % 20);
        address a = VM.addr(ka);
        _fund(a, amount);
        VM.prank(a);
        uint256 id = channels.open(VM.addr(kb), amount, period);
        channelIds.push(id);
        keyA[id] = ka;
        keyB[id] = kb;
        ghostDeposited[id] += amount;
        ghostTotalDeposited += amount;
    }

    function deposit(uint256 channelSeed, bool sideA, uint256 amount) external {
        ++calls;
        (uint256 id, bool ok) = _channel(channelSeed);
        if (!ok) return;
        amount = 1 + (amount % MAX_AMOUNT);
        address who = VM.addr(sideA ? keyA[id] : keyB[id]);
        _fund(who, amount);
        VM.prank(who);
        try channels.deposit(id, amount) {
            ghostDeposited[id] += amount;
            ghostTotalDeposited += amount;
        } catch {}
    }

    /// @dev Both parties sign a new state; amounts may exceed the deposits (up to 3×), and the state
    /// may carry one lock from either side.
    function signState(uint256 channelSeed, uint256 aToB, uint256 bToA, uint256 lockAmount, uint8 lockFlags) external {
        ++calls;
        (uint256 id, bool ok) = _channel(channelSeed);
        if (!ok) return;
        uint256 bound = 3 * ghostDeposited[id] + 1;
        Signed memory s;
        s.proof.channelId = id;
        s.proof.nonce = ++nonces[id];
        s.proof.transferredAToBWei = aToB % bound;
        s.proof.transferredBToAWei = bToA % bound;
        if (lockFlags & 1 == 1) {
            s.secret = keccak256(abi.encode(id, s.proof.nonce, lockAmount));
            s.lock = IPaymentChannels.Lock({
                sender: VM.addr((lockFlags & 2 == 2) ? keyA[id] : keyB[id]),
                amountWei: lockAmount % bound,
                expiryBlock: uint64(block.number + (lockFlags >> 2)),
                hashlock: keccak256(abi.encodePacked(s.secret))
            });
            s.proof.locksRoot = channels.lockLeaf(s.lock); // a one-leaf tree: root = leaf
        }
        bytes32 digest = channels.hashBalanceProof(s.proof);
        s.sigA = _sign(keyA[id], digest);
        s.sigB = _sign(keyB[id], digest);
        s.exists = true;
        if (latest[id].exists) older[id] = latest[id];
        latest[id] = s;
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function close(uint256 channelSeed, bool useOlder, bool byA) external {
        ++calls;
        (uint256 id, bool ok) = _channel(channelSeed);
        if (!ok) return;
        VM.prank(VM.addr(byA ? keyA[id] : keyB[id]));
        Signed storage s = useOlder ? older[id] : latest[id];
        if (!s.exists) {
            IPaymentChannels.BalanceProof memory initial;
            initial.channelId = id;
            try channels.close(initial, "", "") {} catch {}
            return;
        }
        try channels.close(s.proof, s.sigA, s.sigB) {
            ++successes[this.close.selector];
        } catch {}
    }

    function challenge(uint256 channelSeed, bool useOlder) external {
        ++calls;
        (uint256 id, bool ok) = _channel(channelSeed);
        if (!ok) return;
        Signed storage s = useOlder ? older[id] : latest[id];
        if (!s.exists) return;
        try channels.challenge(s.proof, s.sigA, s.sigB) {
            ++successes[this.challenge.selector];
        } catch {}
    }

    function unlock(uint256 channelSeed, bool useOlder) external {
        ++calls;
        (uint256 id, bool ok) = _channel(channelSeed);
        if (!ok) return;
        Signed storage s = useOlder ? older[id] : latest[id];
        if (!s.exists || s.lock.sender == address(0)) return;
        try channels.unlock(id, s.lock, s.secret, new bytes32[](0)) {
            ++successes[this.unlock.selector];
        } catch {}
    }

    function cooperativeClose(uint256 channelSeed, uint256 payoutA, bool wrongSum) external {
        ++calls;
        (uint256 id, bool ok) = _channel(channelSeed);
        if (!ok) return;
        IPaymentChannels.ChannelView memory c = channels.getChannel(id);
        uint256 total = c.balanceAWei + c.balanceBWei;
        payoutA = payoutA % (total + 1);
        uint256 payoutB = total - payoutA + (wrongSum ? 1 : 0);
        bytes32 digest = channels.hashCooperativeClose(id, payoutA, payoutB);
        try channels.cooperativeClose(id, payoutA, payoutB, _sign(keyA[id], digest), _sign(keyB[id], digest)) {
            ++successes[this.cooperativeClose.selector];
        } catch {}
    }

    function roll(uint8 blocks) external {
        ++calls;
        VM.roll(block.number + 1 + (blocks % 25));
    }

    function settle(uint256 channelSeed) external {
        ++calls;
        (uint256 id, bool ok) = _channel(channelSeed);
        if (!ok) return;
        try channels.settle(id) {
            ++successes[this.settle.selector];
        } catch {}
    }

    function withdraw(uint256 channelSeed, bool sideA) external {
        ++calls;
        (uint256 id, bool ok) = _channel(channelSeed);
        if (!ok) return;
        address who = VM.addr(sideA ? keyA[id] : keyB[id]);
        uint256 before = token.balanceOf(who);
        VM.prank(who);
        try channels.withdraw(id) {
            uint256 paid = token.balanceOf(who) - before;
            ghostWithdrawn[id] += paid;
            ghostTotalWithdrawn += paid;
            ++successes[this.withdraw.selector];
        } catch {}
    }
}

contract PaymentChannelsInvariantTest {
    PaymentChannels internal channels;
    PaymentToken internal token;
    ChannelsHandler internal handler;

    function setUp() public {
        token = new PaymentToken(address(this), false);
        channels = new PaymentChannels(IERC20(address(token)), address(this), 1, 20);
        handler = new ChannelsHandler(channels, token);
        token.grantRole(token.MINTER_ROLE(), address(handler));
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice No channel ever pays out more than was deposited into it: what was withdrawn plus
    /// what is still owed (or would be paid if settled now) equals the channel's deposits.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariantPayoutsNeverExceedDeposits() public view {
        uint256 n = handler.channelCount();
        for (uint256 i; i < n; ++i) {
            uint256 id = handler.channelIds(i);
            (uint256 payoutA, uint256 payoutB) = channels.previewPayouts(id);
            uint256 deposited = handler.ghostDeposited(id);
            uint256 withdrawn = handler.ghostWithdrawn(id);
            require(withdrawn + payoutA + payoutB <= deposited, "channel pays out more than deposited");
            require(withdrawn + payoutA + payoutB == deposited, "channel lost track of deposits");
        }
    }

    /// @notice The contract's token balance is exactly what went in minus what came out.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariantTokenBalanceMatchesGhostTotals() public view {
        require(
            token.balanceOf(address(channels)) == handler.ghostTotalDeposited() - handler.ghostTotalWithdrawn(),
            "token balance != deposits - withdrawals"
        );
    }
}
