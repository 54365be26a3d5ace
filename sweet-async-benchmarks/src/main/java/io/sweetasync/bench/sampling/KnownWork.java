package io.sweetasync.bench.sampling;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Work whose truth the body measures itself: bytes moved, or the CPU time and allocation counters of
 * the thread that ran it; on a virtual thread, of its carrier (named in the virtual thread's
 * {@code toString()}) while the body stays mounted, which CPU-bound and allocating loops do.
 */
final class KnownWork {

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
            .getThreadMXBean();
    static volatile Object sink;

    private KnownWork() {
    }

    static long spinCpu(long nanos) {
        Counters counters = Counters.ofCurrentThread();
        long start = counters.cpu();
        double value = 0;
        long used;
        do {
            for (int i = 0; i < 50_000; i++) {
                value += Math.sqrt(value + i);
            }
            used = counters.cpu() - start;
        } while (used < nanos);
        counters.checkStillMounted();
        sink = value;
        return used;
    }

    static long allocate(long bytes) {
        Counters counters = Counters.ofCurrentThread();
        long start = counters.allocated();
        for (long done = 0; done < bytes; done += 64) {
            sink = new byte[48];
        }
        long used = counters.allocated() - start;
        counters.checkStillMounted();
        return used;
    }

    static long read(Path file, int times) throws Exception {
        long read = 0;
        for (int i = 0; i < times; i++) {
            try (InputStream in = Files.newInputStream(file)) {
                read += in.readAllBytes().length;
            }
        }
        return read;
    }

    private record Counters(long threadId, String carrier) {

        static Counters ofCurrentThread() {
            Thread current = Thread.currentThread();
            if (!current.isVirtual()) {
                return new Counters(current.threadId(), null);
            }
            String carrier = carrierName();
            return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(carrier)).findFirst()
                    .map(t -> new Counters(t.threadId(), carrier))
                    .orElseThrow(() -> new IllegalStateException("no carrier thread named " + carrier));
        }

        private static String carrierName() {
            String text = Thread.currentThread().toString();
            return text.substring(text.lastIndexOf('@') + 1);
        }

        long cpu() {
            return THREADS.getThreadCpuTime(threadId);
        }

        long allocated() {
            return THREADS.getThreadAllocatedBytes(threadId);
        }

        void checkStillMounted() {
            if (carrier != null && !carrier.equals(carrierName())) {
                throw new IllegalStateException("moved from " + carrier + " to " + carrierName() + ": no truth");
            }
        }
    }

    /** A loopback peer (not a task) taking {@code size} bytes per connection, then sending as many back. */
    static final class Echo implements AutoCloseable {
        private final long size;
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Thread acceptor;

        Echo(long size) throws Exception {
            this.size = size;
            this.acceptor = Thread.ofPlatform().daemon().name("echo").start(this::serve);
        }

        private void serve() {
            byte[] buffer = new byte[64 * 1024];
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    InputStream in = socket.getInputStream();
                    long received = 0;
                    while (received < size) {
                        int n = in.read(buffer);
                        if (n < 0) {
                            break;
                        }
                        received += n;
                    }
                    OutputStream out = socket.getOutputStream();
                    for (long sent = 0; sent < size; sent += buffer.length) {
                        out.write(buffer, 0, (int) Math.min(buffer.length, size - sent));
                    }
                }
                catch (Exception ex) {
                    // closed, or a client went away
                }
            }
        }

        /** Sends {@code size} bytes and reads them back; returns the bytes moved each way. */
        long exchange() throws Exception {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                OutputStream out = socket.getOutputStream();
                byte[] chunk = new byte[64 * 1024];
                for (long sent = 0; sent < size; sent += chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, size - sent));
                }
                return socket.getInputStream().readNBytes((int) size).length;
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
            acceptor.join();
        }
    }
}
