package dev.agentstack.config;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;

/** Sizes in bytes written as Kubernetes quantities (32Mi, 1G) or plain numbers, as max-response-size is. */
public final class ByteSizes {

    private ByteSizes() {}

    /** The bytes a quantity stands for; throws IllegalArgumentException unless it is a positive whole number. */
    public static long parse(String quantity) {
        BigDecimal bytes;
        try {
            bytes = Quantity.getAmountInBytes(new Quantity(quantity.trim()));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException("not a quantity: " + quantity);
        }
        if (bytes.signum() <= 0 || bytes.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("not a positive whole number of bytes: " + quantity);
        }
        return bytes.min(BigDecimal.valueOf(Long.MAX_VALUE)).longValueExact();
    }
}
