package dev.cairn.reconciler.run;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Slots for terraform: the DAG's steps go before speculative plans, never more than the parallelism at once. */
class TerraformSlotsTest {

    @Test
    void aSpeculativePlanWaitsWhileAnExpectedDagStepHasNotTakenItsSlot() throws Exception {
        var slots = new TerraformSlots(2);
        slots.expect(1);
        var speculative = CompletableFuture.runAsync(() -> {
            try {
                slots.acquireSpeculative();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThatThrownBy(() -> speculative.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

        slots.acquireUrgent(true);

        speculative.get(5, TimeUnit.SECONDS);
    }

    @Test
    void noMoreThanTheParallelismAtOnce() throws Exception {
        var slots = new TerraformSlots(1);
        slots.acquireUrgent(false);
        var second = CompletableFuture.runAsync(() -> {
            try {
                slots.acquireUrgent(false);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThatThrownBy(() -> second.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

        slots.release();

        second.get(5, TimeUnit.SECONDS);
        assertThat(second).isDone();
    }
}
