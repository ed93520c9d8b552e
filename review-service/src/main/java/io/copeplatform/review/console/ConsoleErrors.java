package io.copeplatform.review.console;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.Code;

import io.copeplatform.grpc.Problems;
import io.copeplatform.grpc.RichStatus;
import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.ReviewException;
import io.copeplatform.review.service.ReviewErrors;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * THE place where review errors become HTTP answers of the console: the status and problem document the platform's REST
 * APIs give for the same gRPC code ({@link Problems}), with the same stable reason as gRPC's {@code ErrorInfo.reason}.
 * An htmx request gets an HTML fragment for the page's alert region, a browser navigation an error page, anything else
 * RFC 9457 {@code application/problem+json}.
 */
@ApplicationScoped
public class ConsoleErrors {

    public static final MediaType PROBLEM_JSON = MediaType.valueOf(Problems.MEDIA_TYPE);
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
        // ErrorKind is named after the gRPC codes; the platform's one code -> HTTP mapping is Problems'.
        Problems.Problem problem = Problems.of(Code.valueOf(error.kind().name()), error.getMessage(),
                ReviewErrors.DOMAIN,
                error.reason().name(), error.metadata(), error.violations().stream()
                        .map(v -> new RichStatus.Violation(v.field(), v.description())).toList());
        int status = problem.httpStatus();
        if (htmx || (accept != null && accept.contains("text/html"))) {
            ErrorView view = new ErrorView(status, Response.Status.fromStatusCode(status).getReasonPhrase(),
                    error.reason().name(), error.getMessage(),
                    error.violations().stream().map(v -> v.field() + ": " + v.description()).toList());
            String html = (htmx ? Templates.fragment(view) : Templates.page(view)).render();
            return Response.status(status).type(MediaType.TEXT_HTML_TYPE).entity(html).build();
        }
        try {
            return Response.status(status).type(PROBLEM_JSON).entity(json.writeValueAsString(problem.body())).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
