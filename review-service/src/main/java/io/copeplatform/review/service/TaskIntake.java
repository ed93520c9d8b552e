package io.copeplatform.review.service;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.review.domain.AuditAction;
import io.copeplatform.review.domain.NewTask;
import io.copeplatform.review.domain.TaskIds;
import io.copeplatform.review.domain.TaskWithdrawal;
import io.copeplatform.review.repository.AuditRepository;
import io.copeplatform.review.repository.TaskRepository;
import io.copeplatform.review.repository.Transactions;

/**
 * Creates tasks from ReviewTaskCreated events and cancels them on ReviewTasksWithdrawn. The processed event id, the
 * task and its audit entry commit in one transaction, so a redelivered event (same id) does nothing and a new event for
 * the same (job, iteration, item) maps to the same task.
 */
@ApplicationScoped
public class TaskIntake {

    /** What an event did. */
    public enum Outcome {
        CREATED, DUPLICATE_EVENT, DUPLICATE_TASK
    }

    private final Transactions tx;
    private final TaskRepository tasks;
    private final AuditRepository audit;

    public TaskIntake(Transactions tx, TaskRepository tasks, AuditRepository audit) {
        this.tx = tx;
        this.tasks = tasks;
        this.audit = audit;
    }

    /**
     * Cancels the open (OPEN or ESCALATED) tasks a withdrawal names, with an audit entry each; DONE and CANCELLED tasks
     * are left alone, so a redelivered or repeated withdrawal changes nothing. Returns the number cancelled.
     */
    public int withdraw(TaskWithdrawal withdrawal) {
        return tx.inTransaction(c -> {
            if (!tasks.markEventProcessed(c, withdrawal.eventId())) {
                return 0;
            }
            List<String> cancelled = tasks.cancelOpenTasks(c, withdrawal.job(), withdrawal.iteration());
            for (String id : cancelled) {
                audit.append(c, "system", null, AuditAction.TASK_CANCELLED, id, withdrawal.job(), null, null,
                        Map.of("event_id", withdrawal.eventId(), "reason", withdrawal.reason()));
            }
            return cancelled.size();
        });
    }

    public Outcome accept(NewTask task) {
        return tx.inTransaction(c -> {
            if (!tasks.markEventProcessed(c, task.eventId())) {
                return Outcome.DUPLICATE_EVENT;
            }
            if (task.iterationSummary() != null) {
                tasks.upsertIterationSummary(c, task.job(), task.iteration(), task.iterationSummary());
            }
            String id = TaskIds.derive(task.job(), task.iteration(), task.item());
            if (!tasks.insertTask(c, id, task)) {
                return Outcome.DUPLICATE_TASK;
            }
            audit.append(c, "system", null, AuditAction.TASK_CREATED, id, task.job(), null, null,
                    Map.of("event_id", task.eventId(), "required_decisions",
                            String.valueOf(task.requiredDecisions())));
            return Outcome.CREATED;
        });
    }
}
