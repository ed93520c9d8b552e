package io.copeplatform.review.console;

import java.net.URI;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.RestQuery;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Sign-in and sign-out of the built-in users (Quarkus form authentication posts to {@code /j_security_check}; its
 * encrypted session cookie is the whole session, so signing out means dropping the cookie). With OIDC the identity
 * provider's login page is used instead and this page is not reached.
 */
@Path("/")
public class LoginResource {

    private final String cookieName;

    public LoginResource(@ConfigProperty(name = "quarkus.http.auth.form.cookie-name") String cookieName) {
        this.cookieName = cookieName;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(boolean failed, boolean signedOut);
    }

    @GET
    @Path("/login")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance login(@RestQuery String error, @RestQuery String signedOut) {
        return Templates.login(error != null, signedOut != null);
    }

    @GET
    public Response root() {
        return Response.seeOther(URI.create("/console")).build();
    }

    @POST
    @Path("/logout")
    public Response logout() {
        NewCookie expired = new NewCookie.Builder(cookieName).value("").path("/").maxAge(0).httpOnly(true).build();
        return Response.seeOther(URI.create("/login?signedOut=true")).cookie(expired).build();
    }
}
