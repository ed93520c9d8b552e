package io.copeplatform.labeling.repository;

/**
 * The writes of a lease holder to its leased row (a job, an evaluation): each in one transaction that first checks, and
 * locks, the holder's live lease ({@link Leases#holds}). A holder that stalled past its lease (a long GC pause, a
 * frozen VM) and has not yet heard from its renewal that another instance took the work over thus writes nothing; it
 * gets {@link LeaseLostException} instead.
 */
public final class LeaseFence {

    private final Transactions tx;
    private final Leases leases;
    private final String id;
    private final String owner;

    LeaseFence(Transactions tx, Leases leases, String id, String owner) {
        this.tx = tx;
        this.leases = leases;
        this.id = id;
        this.owner = owner;
    }

    /** The leased row's id. */
    public String id() {
        return id;
    }

    /** {@code work} in one transaction, if the lease is still held when it starts; else {@link LeaseLostException}. */
    public <T> T inTransaction(Transactions.Work<T> work) {
        return tx.inTransaction(c -> {
            if (!leases.holds(c, id, owner)) {
                throw new LeaseLostException(id);
            }
            return work.run(c);
        });
    }

    /** The leased row's owner no longer holds its lease. */
    public static final class LeaseLostException extends RuntimeException {
        LeaseLostException(String id) {
            super("the lease of " + id + " is no longer held here");
        }
    }
}
