package io.copeplatform.review.console;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.copeplatform.review.domain.ErrorKind;
import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.ReviewException;
import io.copeplatform.review.service.ReviewErrors;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * THE place where review errors become HTTP answers of the console: the status for the error's kind and the same stable
 * reason as gRPC's {@code ErrorInfo.reason}. An htmx request gets an HTML fragment for the page's alert region, a
 * browser navigation an error page, anything else RFC 9457 {@code application/problem+json}.
 */
@ApplicationScoped
public class ConsoleErrors {

    public static final MediaType PROBLEM_JSON = new MediaType("application", "problem+json");
    private static final Logger LOG = Logger.getLogger(ConsoleErrors.class);

    private final ObjectMapper json;

    public ConsoleErrors(ObjectMapper json) {
        this.json = json;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance fragment(ErrorView error);

        static native TemplateInstance page(ErrorView error);
    }

    /** What an error page shows. */
    public record ErrorView(int status, String title, String reason, String detail, List<String> violations) {
    }

    public Response toResponse(Throwable failure, boolean htmx, String accept) {
        ReviewException error = ReviewErrors.classify(failure);
        if (error.reason() == ErrorReason.DATABASE_UNAVAILABLE && !(failure instanceof ReviewException)) {
            LOG.warnf(failure, "Console request failed on storage");
        }
        int status = status(error.kind());
        String title = Response.Status.fromStatusCode(status).getReasonPhrase();
        List<String> violations = error.violations().stream().map(v -> v.field() + ": " + v.description()).toList();
        ErrorView view = new ErrorView(status, title, error.reason().name(), error.getMessage(), violations);
        if (htmx) {
            return Response.status(status).type(MediaType.TEXT_HTML_TYPE).entity(Templates.fragment(view).render())
                    .build();
        }
        if (accept != null && accept.contains("text/html")) {
            return Response.status(status).type(MediaType.TEXT_HTML_TYPE).entity(Templates.page(view).render())
                    .build();
        }
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "urn:cope:review:error:" + error.reason().name());
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", error.getMessage());
        problem.put("reason", error.reason().name());
        problem.put("domain", "review.cope.io");
        if (!error.metadata().isEmpty()) {
            problem.put("metadata", error.metadata());
        }
        if (!error.violations().isEmpty()) {
            problem.put("violations", error.violations().stream()
                    .map(v -> Map.of("field", v.field(), "description", v.description())).toList());
        }
        try {
            return Response.status(status).type(PROBLEM_JSON).entity(json.writeValueAsString(problem)).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static int status(ErrorKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> 400;
            case NOT_FOUND -> 404;
            case FAILED_PRECONDITION, ABORTED -> 409;
            case PERMISSION_DENIED -> 403;
            case UNAUTHENTICATED -> 401;
            case UNAVAILABLE -> 503;
        };
    }
}
