package io.sweetasync;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A loopback peer (not a task) that takes {@code size} bytes, then sends as many back. */
final class EchoServer implements AutoCloseable {
    private final long size;
    private final ServerSocket server;
    private final Thread acceptor;

    EchoServer(long size) throws Exception {
        this.size = size;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("echo-acceptor").start(this::accept);
    }

    /** Serves one connection at a time on this thread: the peer starts no thread per connection. */
    private void accept() {
        while (!server.isClosed()) {
            try {
                serve(server.accept());
            }
            catch (Exception ex) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long received = 0;
            while (received < size) {
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                received += n;
            }
            OutputStream out = socket.getOutputStream();
            for (long sent = 0; sent < size; sent += buffer.length) {
                out.write(buffer, 0, (int) Math.min(buffer.length, size - sent));
            }
            out.flush();
        }
        catch (Exception ex) {
            // the client went away; its task fails and says so
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
            out.flush();
            return socket.getInputStream().readNBytes((int) size).length;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
