package io.copeplatform.review.service;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.review.domain.AuditAction;
import io.copeplatform.review.domain.NewTask;
import io.copeplatform.review.domain.TaskIds;
import io.copeplatform.review.repository.AuditRepository;
import io.copeplatform.review.repository.TaskRepository;
import io.copeplatform.review.repository.Transactions;

/**
 * Creates tasks from ReviewTaskCreated events. The processed event id, the task and its audit entry commit in one
 * transaction, so a redelivered event (same id) does nothing and a new event for the same (job, iteration, item) maps
 * to the same task.
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
