package dev.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A share of the subscribers in a {@link Worker} process: a {@code java} started with this process's class path,
 * driven over its stdin and stdout. Its stderr is the bench's. If the bench dies, the worker's stdin closes and it
 * exits by itself.
 */
final class WorkerFleet implements Fleet {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Writer commands;
    private final WorkerTask task;
    private volatile Progress latest = Progress.NONE;
    private volatile CompletableFuture<Void> away = new CompletableFuture<>();
    private final CompletableFuture<Result> result = new CompletableFuture<>();

    WorkerFleet(BenchOptions options, int first, int count, double ramp) {
        this.task = new WorkerTask(options, first, count, ramp);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String o : options.workerJavaOptions().trim().split("\\s+")) {
            if (!o.isEmpty()) {
                command.add(o);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Worker.class.getName());
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a worker: " + String.join(" ", command), e);
        }
        commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::read, "worker-" + first);
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("progress ")) {
                    latest = JSON.readValue(line.substring(9), Progress.class);
                } else if (line.equals("away")) {
                    away.complete(null);
                } else if (line.startsWith("result ")) {
                    result.complete(JSON.readValue(line.substring(7), Result.class));
                }
            }
        } catch (IOException e) {
            result.completeExceptionally(e);
        }
        result.completeExceptionally(new IllegalStateException("the worker for subscribers " + task.first()
                + ".. exited without a result"));
        away.complete(null);
    }

    private synchronized void send(String line) {
        try {
            commands.write(line);
            commands.write('\n');
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the worker for subscribers " + task.first() + ".. is gone", e);
        }
    }

    @Override
    public void start() {
        try {
            send(JSON.writeValueAsString(task));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Progress progress() {
        return latest;
    }

    @Override
    public void goAway() {
        away = new CompletableFuture<>();
        send("away");
        away.orTimeout(30, TimeUnit.SECONDS).join();
    }

    @Override
    public void comeBack() {
        send("back");
    }

    @Override
    public Result finish(Published published) {
        try {
            send("finish " + JSON.writeValueAsString(published));
            return result.get(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw new IllegalStateException("worker " + task.first() + ": " + e.getMessage(), e);
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        try {
            commands.close(); // a worker that was not told to finish sees its stdin end, and exits
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
