package dev.agentstack.cli;

import dev.agentstack.config.ConfigException;
import dev.agentstack.config.Option;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Refuses to start when the management port (or the prometheus-port) cannot be bound. Vert.x binds it on an event
 * loop after Camel has started, logs a stack trace and leaves the controller running without health or metrics; a
 * platform engineer wants the pod to fail with one line instead.
 */
final class ManagementPortCheck {

    private ManagementPortCheck() {}

    /**
     * @param option the option that names the port
     * @param port   its value; 0 (off) passes
     */
    static void requireBindable(Option<Integer> option, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as Vert.x binds: a port in TIME_WAIT is free, one being listened on is not
            socket.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new ConfigException(
                    "option " + option.flag() + ": cannot listen on port " + port + " (" + e.getMessage() + ")");
        }
    }
}
