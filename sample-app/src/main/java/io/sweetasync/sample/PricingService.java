package io.sweetasync.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * A simulated downstream pricing service inside the app: a fixed number of slots (callers beyond them
 * queue, as at a real overloaded service), log-normal latency, and occasional transient failures.
 */
@Service
public class PricingService {

    private final Semaphore slots;
    private final long meanLatencyNanos;
    private final double failureRate;

    PricingService(@Value("${sample.pricing.slots:8}") int slots,
            @Value("${sample.pricing.mean-latency:15ms}") Duration meanLatency,
            @Value("${sample.pricing.failure-rate:0.02}") double failureRate) {
        this.slots = new Semaphore(slots, true);
        this.meanLatencyNanos = meanLatency.toNanos();
        this.failureRate = failureRate;
    }

    /** The price of one unit of {@code sku}, in cents. */
    public long unitPriceCents(String sku) throws IOException, InterruptedException {
        slots.acquire();
        try {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            double sigma = 0.5;
            double latency = meanLatencyNanos * Math.exp(sigma * random.nextGaussian() - sigma * sigma / 2);
            Thread.sleep(Duration.ofNanos((long) latency));
            if (random.nextDouble() < failureRate) {
                throw new IOException("pricing service busy for " + sku);
            }
            return 100 + Math.floorMod(sku.hashCode(), 9_900);
        }
        finally {
            slots.release();
        }
    }
}
