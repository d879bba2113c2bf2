import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { network } from "hardhat";
import { getAddress, keccak256, toBytes, zeroAddress, type Address } from "viem";

const { viem, networkHelpers } = await network.create();

// Mirrors IParticipantRegistry.Role / Status.
const Role = { None: 0, Prosumer: 1, Consumer: 2, Aggregator: 3, Validator: 4, DSO: 5, Regulator: 6 } as const;
const Status = { None: 0, Pending: 1, Approved: 2, Suspended: 3 } as const;

const REGULATOR_ROLE = keccak256(toBytes("REGULATOR_ROLE"));
const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}` as const;

const METER_A = getAddress("0x00000000000000000000000000000000000a0001");
const METER_B = getAddress("0x00000000000000000000000000000000000b0001");
const METER_C = getAddress("0x00000000000000000000000000000000000c0001");

async function deployRegistry() {
  const [admin, regulator, alice, bob, carol] = await viem.getWalletClients();
  const registry = await viem.deployContract("ParticipantRegistry", [admin.account.address, regulator.account.address]);
  const listener = await viem.deployContract("RecordingParticipantListener");
  await registry.write.addListener([listener.address]);
  return { registry, listener, admin, regulator, alice, bob, carol };
}

type Fixture = Awaited<ReturnType<typeof deployRegistry>>;

/** The registry's whole observable state for a few accounts and meters: compared before and after a failed call. */
async function snapshot({ registry, listener }: Fixture, accounts: Address[], meters: Address[]) {
  return {
    count: await registry.read.participantCount(),
    participants: await Promise.all(accounts.map((a) => registry.read.participantOf([a]))),
    meters: await Promise.all(meters.map((m) => registry.read.accountOfMeter([m]))),
    listeners: await registry.read.listeners(),
    listenerUpdates: await listener.read.updateCount(),
  };
}

describe("ParticipantRegistry", () => {
  describe("deployment", () => {
    it("grants the admin and regulator roles and starts empty", async () => {
      const { registry, admin, regulator, listener } = await networkHelpers.loadFixture(deployRegistry);
      assert.equal(await registry.read.REGULATOR_ROLE(), REGULATOR_ROLE);
      assert.equal(await registry.read.hasRole([DEFAULT_ADMIN_ROLE, admin.account.address]), true);
      assert.equal(await registry.read.hasRole([REGULATOR_ROLE, regulator.account.address]), true);
      assert.equal(await registry.read.hasRole([REGULATOR_ROLE, admin.account.address]), false);
      assert.equal(await registry.read.participantCount(), 0n);
      assert.deepEqual(await registry.read.listeners(), [listener.address].map((a) => getAddress(a)));
      assert.equal(await registry.read.MAX_LISTENERS(), 8n);
    });

    it("rejects a zero admin", async () => {
      const { registry, regulator } = await networkHelpers.loadFixture(deployRegistry);
      await viem.assertions.revertWithCustomError(
        viem.deployContract("ParticipantRegistry", [zeroAddress, regulator.account.address]),
        registry,
        "RegistryZeroAddress",
      );
    });
  });

  describe("register (self-service)", () => {
    it("records a Pending participant that is not active, binds the meter and notifies listeners", async () => {
      const { registry, listener, alice } = await networkHelpers.loadFixture(deployRegistry);
      const hash = await registry.write.register([Role.Prosumer, METER_A, 3], { account: alice.account });
      await viem.assertions.emitWithArgs(hash, registry, "ParticipantRegistered", [
        alice.account.address,
        Role.Prosumer,
        METER_A,
        3,
        Status.Pending,
      ]);
      await viem.assertions.emitWithArgs(hash, listener, "UpdateReceived", [
        registry.address,
        alice.account.address,
        Role.Prosumer,
        Status.Pending,
        3,
        METER_A,
      ]);
      assert.deepEqual(await registry.read.participantOf([alice.account.address]), {
        role: Role.Prosumer,
        status: Status.Pending,
        zone: 3,
        meter: METER_A,
      });
      assert.equal(await registry.read.isActive([alice.account.address]), false);
      assert.equal(await registry.read.accountOfMeter([METER_A]), getAddress(alice.account.address));
      assert.equal(await registry.read.participantCount(), 1n);
      const [account, participant] = await registry.read.participantAt([0n]);
      assert.equal(account, getAddress(alice.account.address));
      assert.equal(participant.status, Status.Pending);
      assert.equal(await listener.read.updateCount(), 1n);
    });

    it("accepts the three trading roles", async () => {
      const { registry, alice, bob, carol } = await networkHelpers.loadFixture(deployRegistry);
      await registry.write.register([Role.Prosumer, METER_A, 1], { account: alice.account });
      await registry.write.register([Role.Consumer, METER_B, 1], { account: bob.account });
      await registry.write.register([Role.Aggregator, METER_C, 2], { account: carol.account });
      assert.equal(await registry.read.participantCount(), 3n);
      const [third] = await registry.read.participantAt([2n]);
      assert.equal(third, getAddress(carol.account.address));
    });

    for (const role of [Role.None, Role.Validator, Role.DSO, Role.Regulator]) {
      it(`rejects self-registration as role ${role} and records nothing`, async () => {
        const fixture = await networkHelpers.loadFixture(deployRegistry);
        const { registry, alice } = fixture;
        const before = await snapshot(fixture, [alice.account.address], [METER_A]);
        await viem.assertions.revertWithCustomErrorWithArgs(
          registry.write.register([role, METER_A, 1], { account: alice.account }),
          registry,
          "RegistryInvalidRole",
          [role],
        );
        assert.deepEqual(await snapshot(fixture, [alice.account.address], [METER_A]), before);
      });
    }

    it("rejects a zero meter and records nothing", async () => {
      const fixture = await networkHelpers.loadFixture(deployRegistry);
      const { registry, alice } = fixture;
      const before = await snapshot(fixture, [alice.account.address], [zeroAddress]);
      await viem.assertions.revertWithCustomError(
        registry.write.register([Role.Consumer, zeroAddress, 1], { account: alice.account }),
        registry,
        "RegistryZeroMeter",
      );
      assert.deepEqual(await snapshot(fixture, [alice.account.address], [zeroAddress]), before);
    });

    it("rejects registering twice and keeps the first record", async () => {
      const fixture = await networkHelpers.loadFixture(deployRegistry);
      const { registry, alice } = fixture;
      await registry.write.register([Role.Prosumer, METER_A, 1], { account: alice.account });
      const before = await snapshot(fixture, [alice.account.address], [METER_A, METER_B]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.register([Role.Consumer, METER_B, 2], { account: alice.account }),
        registry,
        "RegistryAlreadyRegistered",
        [getAddress(alice.account.address)],
      );
      assert.deepEqual(await snapshot(fixture, [alice.account.address], [METER_A, METER_B]), before);
    });

    it("rejects a meter bound to another account and records nothing", async () => {
      const fixture = await networkHelpers.loadFixture(deployRegistry);
      const { registry, alice, bob } = fixture;
      await registry.write.register([Role.Prosumer, METER_A, 1], { account: alice.account });
      const before = await snapshot(fixture, [alice.account.address, bob.account.address], [METER_A]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.register([Role.Consumer, METER_A, 1], { account: bob.account }),
        registry,
        "RegistryMeterInUse",
        [METER_A, getAddress(alice.account.address)],
      );
      assert.deepEqual(await snapshot(fixture, [alice.account.address, bob.account.address], [METER_A]), before);
    });
  });

  describe("registerFor (regulator onboarding)", () => {
    it("registers an Approved, active participant in one step", async () => {
      const { registry, listener, regulator, alice } = await networkHelpers.loadFixture(deployRegistry);
      const hash = await registry.write.registerFor([alice.account.address, Role.Consumer, METER_A, 7], {
        account: regulator.account,
      });
      await viem.assertions.emitWithArgs(hash, registry, "ParticipantRegistered", [
        getAddress(alice.account.address),
        Role.Consumer,
        METER_A,
        7,
        Status.Approved,
      ]);
      await viem.assertions.emitWithArgs(hash, listener, "UpdateReceived", [
        registry.address,
        getAddress(alice.account.address),
        Role.Consumer,
        Status.Approved,
        7,
        METER_A,
      ]);
      assert.equal(await registry.read.isActive([alice.account.address]), true);
      assert.equal(await registry.read.accountOfMeter([METER_A]), getAddress(alice.account.address));
    });

    it("lets non-trading roles (validator, DSO, regulator) have no meter", async () => {
      const { registry, regulator, alice, bob } = await networkHelpers.loadFixture(deployRegistry);
      await registry.write.registerFor([alice.account.address, Role.DSO, zeroAddress, 0], { account: regulator.account });
      await registry.write.registerFor([bob.account.address, Role.Validator, zeroAddress, 0], { account: regulator.account });
      assert.equal(await registry.read.isActive([alice.account.address]), true);
      assert.equal((await registry.read.participantOf([bob.account.address])).role, Role.Validator);
      // address(0) is never bound as a meter.
      assert.equal(await registry.read.accountOfMeter([zeroAddress]), zeroAddress);
    });

    it("requires a meter for the trading roles", async () => {
      const fixture = await networkHelpers.loadFixture(deployRegistry);
      const { registry, regulator, alice } = fixture;
      const before = await snapshot(fixture, [alice.account.address], []);
      await viem.assertions.revertWithCustomError(
        registry.write.registerFor([alice.account.address, Role.Prosumer, zeroAddress, 1], { account: regulator.account }),
        registry,
        "RegistryZeroMeter",
      );
      assert.deepEqual(await snapshot(fixture, [alice.account.address], []), before);
    });

    it("rejects role None, a zero account, an existing account and a used meter", async () => {
      const fixture = await networkHelpers.loadFixture(deployRegistry);
      const { registry, regulator, alice, bob } = fixture;
      await registry.write.register([Role.Prosumer, METER_A, 1], { account: alice.account });
      const before = await snapshot(fixture, [alice.account.address, bob.account.address], [METER_A, METER_B]);
      const asRegulator = { account: regulator.account };

      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.registerFor([bob.account.address, Role.None, METER_B, 1], asRegulator),
        registry,
        "RegistryInvalidRole",
        [Role.None],
      );
      await viem.assertions.revertWithCustomError(
        registry.write.registerFor([zeroAddress, Role.Consumer, METER_B, 1], asRegulator),
        registry,
        "RegistryZeroAddress",
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.registerFor([alice.account.address, Role.Consumer, METER_B, 1], asRegulator),
        registry,
        "RegistryAlreadyRegistered",
        [getAddress(alice.account.address)],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.registerFor([bob.account.address, Role.Consumer, METER_A, 1], asRegulator),
        registry,
        "RegistryMeterInUse",
        [METER_A, getAddress(alice.account.address)],
      );
      assert.deepEqual(await snapshot(fixture, [alice.account.address, bob.account.address], [METER_A, METER_B]), before);
    });

    it("rejects a caller without REGULATOR_ROLE", async () => {
      const fixture = await networkHelpers.loadFixture(deployRegistry);
      const { registry, admin, bob } = fixture;
      const before = await snapshot(fixture, [bob.account.address], [METER_B]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.registerFor([bob.account.address, Role.Consumer, METER_B, 1], { account: admin.account }),
        registry,
        "AccessControlUnauthorizedAccount",
        [getAddress(admin.account.address), REGULATOR_ROLE],
      );
      assert.deepEqual(await snapshot(fixture, [bob.account.address], [METER_B]), before);
    });
  });

  describe("approve / suspend / reinstate", () => {
    async function pendingAlice() {
      const fixture = await deployRegistry();
      await fixture.registry.write.register([Role.Prosumer, METER_A, 1], { account: fixture.alice.account });
      return fixture;
    }

    it("walks Pending → Approved → Suspended → Approved with events and listener updates", async () => {
      const { registry, listener, regulator, alice } = await networkHelpers.loadFixture(pendingAlice);
      const asRegulator = { account: regulator.account };
      const who = getAddress(alice.account.address);

      let hash = await registry.write.approve([who], asRegulator);
      await viem.assertions.emitWithArgs(hash, registry, "ParticipantStatusChanged", [who, Status.Pending, Status.Approved]);
      await viem.assertions.emitWithArgs(hash, listener, "UpdateReceived", [registry.address, who, Role.Prosumer, Status.Approved, 1, METER_A]);
      assert.equal(await registry.read.isActive([who]), true);

      hash = await registry.write.suspend([who], asRegulator);
      await viem.assertions.emitWithArgs(hash, registry, "ParticipantStatusChanged", [who, Status.Approved, Status.Suspended]);
      await viem.assertions.emitWithArgs(hash, listener, "UpdateReceived", [registry.address, who, Role.Prosumer, Status.Suspended, 1, METER_A]);
      assert.equal(await registry.read.isActive([who]), false);
      // (Test-double artifacts get no generated types, hence the cast.)
      assert.equal(((await listener.read.lastSeen([who])) as { status: number }).status, Status.Suspended);
      // A suspended account keeps its meter binding.
      assert.equal(await registry.read.accountOfMeter([METER_A]), who);

      hash = await registry.write.reinstate([who], asRegulator);
      await viem.assertions.emitWithArgs(hash, registry, "ParticipantStatusChanged", [who, Status.Suspended, Status.Approved]);
      assert.equal(await registry.read.isActive([who]), true);
      assert.equal(await listener.read.updateCount(), 4n); // register, approve, suspend, reinstate
      assert.deepEqual(await listener.read.lastSeen([who]), {
        role: Role.Prosumer,
        status: Status.Approved,
        zone: 1,
        meter: METER_A,
      });
    });

    it("rejects transitions from the wrong status and changes nothing", async () => {
      const fixture = await networkHelpers.loadFixture(pendingAlice);
      const { registry, regulator, alice } = fixture;
      const asRegulator = { account: regulator.account };
      const who = getAddress(alice.account.address);
      const before = await snapshot(fixture, [who], [METER_A]);

      // Pending: cannot be suspended or reinstated.
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.suspend([who], asRegulator), registry, "RegistryInvalidStatus", [
        who,
        Status.Pending,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.reinstate([who], asRegulator), registry, "RegistryInvalidStatus", [
        who,
        Status.Pending,
      ]);
      assert.deepEqual(await snapshot(fixture, [who], [METER_A]), before);

      // Approved: cannot be approved again or reinstated.
      await registry.write.approve([who], asRegulator);
      const approved = await snapshot(fixture, [who], [METER_A]);
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.approve([who], asRegulator), registry, "RegistryInvalidStatus", [
        who,
        Status.Approved,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.reinstate([who], asRegulator), registry, "RegistryInvalidStatus", [
        who,
        Status.Approved,
      ]);
      assert.deepEqual(await snapshot(fixture, [who], [METER_A]), approved);

      // Suspended: cannot be approved (only reinstated) or suspended again.
      await registry.write.suspend([who], asRegulator);
      const suspended = await snapshot(fixture, [who], [METER_A]);
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.approve([who], asRegulator), registry, "RegistryInvalidStatus", [
        who,
        Status.Suspended,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.suspend([who], asRegulator), registry, "RegistryInvalidStatus", [
        who,
        Status.Suspended,
      ]);
      assert.deepEqual(await snapshot(fixture, [who], [METER_A]), suspended);
    });

    it("rejects status changes of an unregistered account", async () => {
      const fixture = await networkHelpers.loadFixture(pendingAlice);
      const { registry, regulator, bob } = fixture;
      const who = getAddress(bob.account.address);
      const before = await snapshot(fixture, [who], []);
      for (const call of [registry.write.approve, registry.write.suspend, registry.write.reinstate]) {
        await viem.assertions.revertWithCustomErrorWithArgs(call([who], { account: regulator.account }), registry, "RegistryNotRegistered", [
          who,
        ]);
      }
      assert.deepEqual(await snapshot(fixture, [who], []), before);
    });

    it("rejects approve, suspend and reinstate by a non-regulator", async () => {
      const fixture = await networkHelpers.loadFixture(pendingAlice);
      const { registry, alice, bob } = fixture;
      const who = getAddress(alice.account.address);
      const before = await snapshot(fixture, [who], [METER_A]);
      for (const call of [registry.write.approve, registry.write.suspend, registry.write.reinstate]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          call([who], { account: bob.account }),
          registry,
          "AccessControlUnauthorizedAccount",
          [getAddress(bob.account.address), REGULATOR_ROLE],
        );
      }
      // Self-approval is no exception.
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.approve([who], { account: alice.account }),
        registry,
        "AccessControlUnauthorizedAccount",
        [who, REGULATOR_ROLE],
      );
      assert.deepEqual(await snapshot(fixture, [who], [METER_A]), before);
    });

    it("lets the admin grant REGULATOR_ROLE to another account (the Supervisor contract)", async () => {
      const { registry, bob, alice } = await networkHelpers.loadFixture(pendingAlice);
      await registry.write.grantRole([REGULATOR_ROLE, bob.account.address]);
      await registry.write.approve([alice.account.address], { account: bob.account });
      assert.equal(await registry.read.isActive([alice.account.address]), true);
    });
  });

  describe("listeners", () => {
    it("rejects a zero, duplicate or ninth listener, and non-admin callers", async () => {
      const fixture = await networkHelpers.loadFixture(deployRegistry);
      const { registry, listener, regulator } = fixture;
      await viem.assertions.revertWithCustomError(registry.write.addListener([zeroAddress]), registry, "RegistryZeroAddress");
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.addListener([listener.address]), registry, "RegistryListenerAlreadyAdded", [
        listener.address,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.addListener([METER_A], { account: regulator.account }),
        registry,
        "AccessControlUnauthorizedAccount",
        [getAddress(regulator.account.address), DEFAULT_ADMIN_ROLE],
      );
      assert.deepEqual(await registry.read.listeners(), [listener.address].map((a) => getAddress(a)));

      const more: Address[] = [];
      for (let i = 0; i < 7; i++) {
        const extra = await viem.deployContract("RecordingParticipantListener");
        await viem.assertions.emitWithArgs(registry.write.addListener([extra.address]), registry, "ParticipantListenerAdded", [extra.address]);
        more.push(extra.address);
      }
      assert.equal((await registry.read.listeners()).length, 8);
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.addListener([METER_A]), registry, "RegistryTooManyListeners", [8n]);
      assert.deepEqual(await registry.read.listeners(), [listener.address, ...more].map((a) => getAddress(a)));
    });

    it("notifies every listener, and a broken listener blocks changes until the admin removes it", async () => {
      const fixture = await networkHelpers.loadFixture(deployRegistry);
      const { registry, listener, regulator, alice } = fixture;
      const second = await viem.deployContract("RecordingParticipantListener");
      await registry.write.addListener([second.address]);
      await registry.write.register([Role.Consumer, METER_A, 2], { account: alice.account });
      assert.equal(await listener.read.updateCount(), 1n);
      assert.equal(await second.read.updateCount(), 1n);

      await listener.write.setBroken([true]);
      const before = await snapshot(fixture, [alice.account.address], [METER_A]);
      await viem.assertions.revertWithCustomError(
        registry.write.approve([alice.account.address], { account: regulator.account }),
        listener,
        "ListenerBroken",
      );
      assert.deepEqual(await snapshot(fixture, [alice.account.address], [METER_A]), before);
      assert.equal(await second.read.updateCount(), 1n);

      await viem.assertions.emitWithArgs(registry.write.removeListener([listener.address]), registry, "ParticipantListenerRemoved", [
        listener.address,
      ]);
      assert.deepEqual(await registry.read.listeners(), [second.address].map((a) => getAddress(a)));
      await registry.write.approve([alice.account.address], { account: regulator.account });
      assert.equal(await second.read.updateCount(), 2n);
      assert.equal(await registry.read.isActive([alice.account.address]), true);
    });

    it("keeps the notification order when removing from the middle, and rejects unknown listeners", async () => {
      const { registry, listener } = await networkHelpers.loadFixture(deployRegistry);
      const second = await viem.deployContract("RecordingParticipantListener");
      const third = await viem.deployContract("RecordingParticipantListener");
      await registry.write.addListener([second.address]);
      await registry.write.addListener([third.address]);
      await registry.write.removeListener([second.address]);
      assert.deepEqual(await registry.read.listeners(), [listener.address, third.address].map((a) => getAddress(a)));
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.removeListener([second.address]), registry, "RegistryListenerNotFound", [
        second.address,
      ]);
      assert.deepEqual(await registry.read.listeners(), [listener.address, third.address].map((a) => getAddress(a)));
    });
  });
});
