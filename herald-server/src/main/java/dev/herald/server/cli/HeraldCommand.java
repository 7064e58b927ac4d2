package dev.herald.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code herald}: the entry point; each action is a subcommand. */
@Command(name = "herald", mixinStandardHelpOptions = true, version = "Herald 0.1.0",
        description = "A real-time push hub: publish over HTTP, subscribe over Server-Sent Events.",
        subcommands = {ServeCommand.class, AppsCommand.class, CommandLine.HelpCommand.class})
public final class HeraldCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new HeraldCommand()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
