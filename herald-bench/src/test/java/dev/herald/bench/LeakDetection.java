package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaked a ByteBuf, as herald-server's tests do (its test classes are not shared): the build runs
 * with paranoid leak detection; after each test this collects garbage, makes the detector look, and asserts it
 * reported nothing.
 */
public final class LeakDetection implements BeforeAllCallback, AfterEachCallback {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (LeakDetection.class) {
            if (!installed) {
                Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
                field.setAccessible(true);
                ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
                detector.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
                installed = true;
            }
        }
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(1);
            probe.release();
        }
        List<String> leaks = List.copyOf(LEAKS);
        LEAKS.clear();
        assertThat(leaks).as("ByteBuf leaks").isEmpty();
    }
}
