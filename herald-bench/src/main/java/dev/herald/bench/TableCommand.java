package dev.herald.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald bench table FILE…}: the comparison table, in Markdown, of the summaries that runs printed. */
@Command(name = "table", mixinStandardHelpOptions = true,
        description = "Prints the side-by-side Markdown table of bench summaries (JSON files), with Herald's ratios.")
final class TableCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", description = "Summary files, as `herald bench` printed them.")
    List<Path> files;

    @Option(names = "--p99-bound-ms", defaultValue = "100",
            description = "The p99 bound of rate searches (labels starting with g) (default: ${DEFAULT-VALUE}).")
    double p99BoundMs;

    @Override
    public Integer call() throws Exception {
        ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        List<Summary> summaries = new ArrayList<>();
        for (Path f : files) {
            summaries.add(json.readValue(f.toFile(), Summary.class));
        }
        System.out.print(new Table(p99BoundMs).render(summaries));
        return 0;
    }
}
