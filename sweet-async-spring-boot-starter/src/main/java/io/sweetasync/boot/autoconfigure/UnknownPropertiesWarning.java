package io.sweetasync.boot.autoconfigure;

import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.IgnoreErrorsBindHandler;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.UnboundElementsSourceFilter;
import org.springframework.core.env.Environment;

/**
 * Warns at start-up of keys under {@code sweet.async} that are no setting (a misspelling such as
 * {@code sweet.async.groups.pricing.max-limt}, which leaves the limit it meant at its default), naming each
 * and where it was written. A warning, not a failure: an application keeps starting when it carries a key of
 * another version or one meant for something else, as Spring Boot's own properties do. Only the
 * application's configuration is read so, not environment variables or system properties (Spring Boot's
 * rule for unknown keys: {@code SWEET_ASYNC_*} variables of other tools are not settings).
 */
final class UnknownPropertiesWarning {

    private static final Log logger = LogFactory.getLog(UnknownPropertiesWarning.class);

    private UnknownPropertiesWarning() {
    }

    /** Logs one warning listing the unknown keys, if there are any. */
    static void warn(Environment environment) {
        List<String> unknown = unknown(environment);
        if (!unknown.isEmpty()) {
            logger.warn("Ignoring " + (unknown.size() == 1 ? "an unknown property" : unknown.size()
                    + " unknown properties") + " under sweet.async (misspelled? each setting is listed in the"
                    + " README's property table and the IDE's metadata): " + String.join(", ", unknown));
        }
    }

    /** The unknown keys under {@code sweet.async}, each with its origin when known, in order. */
    static List<String> unknown(Environment environment) {
        try {
            // Errors of bad values are ignored here: the real binding reports them, naming the property.
            Binder.get(environment).bind("sweet.async", Bindable.of(SweetAsyncProperties.class),
                    new NoUnboundElementsBindHandler(new IgnoreErrorsBindHandler(), new UnboundElementsSourceFilter()));
            return List.of();
        }
        catch (BindException ex) {
            if (ex.getCause() instanceof UnboundConfigurationPropertiesException unbound) {
                return unbound.getUnboundProperties().stream().map(UnknownPropertiesWarning::describe).sorted()
                        .toList();
            }
            return List.of();
        }
    }

    private static String describe(ConfigurationProperty property) {
        return property.getName() + (property.getOrigin() == null ? "" : " (" + property.getOrigin() + ")");
    }
}
