package io.concierge.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The package dependency graph of a source tree, read from the Java sources themselves: every
 * {@code import} (plain, static, wildcard) and every fully qualified name in code under a given root
 * package is an edge from the file's package to the referenced package. Comments and string literals
 * are skipped, so a Javadoc mention does not count but a {@code {@link}} through an import does (the
 * import is the dependency). Sources rather than {@code jdeps} on classes, because the compiler
 * inlines constants and erases some references a reader of the code still depends on.
 *
 * <p>A package name is the qualified name's leading lower-case segments (the Java naming convention
 * every source here follows); the first upper-case segment starts the type.
 */
public final class PackageGraph {
    private final Map<String, Set<String>> edges;

    private PackageGraph(Map<String, Set<String>> edges) {
        this.edges = edges;
    }

    /** Reads every {@code .java} file under each of {@code sourceRoots}; edges only into {@code rootPackage}. */
    public static PackageGraph read(String rootPackage, Path... sourceRoots) {
        Map<String, Set<String>> edges = new TreeMap<>();
        for (Path root : sourceRoots) {
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException("no source directory " + root.toAbsolutePath());
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    readFile(file, rootPackage, edges);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new PackageGraph(edges);
    }

    /** The packages this graph knows (those with sources and those referenced). */
    public Set<String> packages() {
        Set<String> all = new TreeSet<>(edges.keySet());
        edges.values().forEach(all::addAll);
        return all;
    }

    /** The packages {@code from} depends on (empty when none). */
    public Set<String> dependencies(String from) {
        return edges.getOrDefault(from, Set.of());
    }

    /** Whether {@code from} refers to {@code to}. */
    public boolean hasEdge(String from, String to) {
        return dependencies(from).contains(to);
    }

    /** This graph without the listed edges ({@code "from -> to"} each). */
    public PackageGraph without(Collection<String> edgeList) {
        Map<String, Set<String>> copy = new TreeMap<>();
        edges.forEach((from, to) -> copy.put(from, new TreeSet<>(to)));
        for (String edge : edgeList) {
            String[] ends = splitEdge(edge);
            Set<String> to = copy.get(ends[0]);
            if (to != null) {
                to.remove(ends[1]);
            }
        }
        return new PackageGraph(copy);
    }

    /** Splits {@code "a.b -> c.d"} into its two packages. */
    public static String[] splitEdge(String edge) {
        int arrow = edge.indexOf("->");
        if (arrow < 0) {
            throw new IllegalArgumentException("an edge is 'from -> to', was: " + edge);
        }
        return new String[] {edge.substring(0, arrow).trim(), edge.substring(arrow + 2).trim()};
    }

    /**
     * The strongly connected components with more than one package (Tarjan): each is a set of
     * packages that all reach each other, i.e. every cycle lies inside one of them.
     */
    public List<Set<String>> tangles() {
        Tarjan tarjan = new Tarjan();
        for (String p : packages()) {
            if (!tarjan.index.containsKey(p)) {
                tarjan.visit(p);
            }
        }
        return tarjan.components;
    }

    /** A shortest cycle through {@code start} inside {@code component} (breadth first), as a path. */
    public List<String> shortestCycle(String start, Set<String> component) {
        Map<String, String> parent = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>();
        queue.add(start);
        parent.put(start, null);
        while (!queue.isEmpty()) {
            String at = queue.poll();
            for (String next : dependencies(at)) {
                if (!component.contains(next)) {
                    continue;
                }
                if (next.equals(start)) {
                    List<String> path = new ArrayList<>();
                    for (String p = at; p != null; p = parent.get(p)) {
                        path.add(0, p);
                    }
                    path.add(start);
                    return path;
                }
                if (!parent.containsKey(next)) {
                    parent.put(next, at);
                    queue.add(next);
                }
            }
        }
        return List.of();
    }

    /**
     * Every cycle, described for a reader: each tangle with its packages, every pair that imports
     * each other directly, and a shortest cycle through each package of the tangle. Empty when the
     * graph is acyclic.
     */
    public String describeCycles(String prefixToDrop) {
        StringBuilder out = new StringBuilder();
        for (Set<String> tangle : tangles()) {
            out.append("tangle of ").append(tangle.size()).append(" packages: ")
                    .append(shorten(tangle, prefixToDrop)).append('\n');
            for (String a : tangle) {
                for (String b : dependencies(a)) {
                    if (a.compareTo(b) < 0 && hasEdge(b, a)) {
                        out.append("  mutual: ").append(shorten(a, prefixToDrop)).append(" <-> ")
                                .append(shorten(b, prefixToDrop)).append('\n');
                    }
                }
            }
            Set<String> seen = new TreeSet<>();
            for (String p : tangle) {
                List<String> cycle = shortestCycle(p, tangle);
                String text = String.join(" -> ", cycle.stream().map(c -> shorten(c, prefixToDrop)).toList());
                if (cycle.size() > 3 && seen.add(text)) {
                    out.append("  cycle: ").append(text).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static String shorten(Collection<String> packages, String prefix) {
        return String.join(", ", packages.stream().map(p -> shorten(p, prefix)).toList());
    }

    private static String shorten(String pkg, String prefix) {
        return pkg.startsWith(prefix) ? pkg.substring(prefix.length()) : pkg;
    }

    private final class Tarjan {
        final Map<String, Integer> index = new HashMap<>();
        final Map<String, Integer> low = new HashMap<>();
        final Deque<String> stack = new ArrayDeque<>();
        final Set<String> onStack = new HashSet<>();
        final List<Set<String>> components = new ArrayList<>();

        void visit(String v) {
            index.put(v, index.size());
            low.put(v, index.get(v));
            stack.push(v);
            onStack.add(v);
            for (String w : dependencies(v)) {
                if (!index.containsKey(w)) {
                    visit(w);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (onStack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (low.get(v).equals(index.get(v))) {
                Set<String> component = new TreeSet<>();
                String w;
                do {
                    w = stack.pop();
                    onStack.remove(w);
                    component.add(w);
                } while (!w.equals(v));
                if (component.size() > 1) {
                    components.add(component);
                }
            }
        }
    }

    private static void readFile(Path file, String rootPackage, Map<String, Set<String>> edges) {
        String code;
        try {
            code = codeOnly(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String own = declaredPackage(code, file);
        Set<String> to = edges.computeIfAbsent(own, k -> new TreeSet<>());
        String needle = rootPackage + ".";
        for (int at = code.indexOf(needle); at >= 0; at = code.indexOf(needle, at + 1)) {
            if (at > 0 && (Character.isJavaIdentifierPart(code.charAt(at - 1)) || code.charAt(at - 1) == '.')) {
                continue;
            }
            String referenced = packageOf(code, at);
            if (!referenced.equals(own) && !isPackageDeclaration(code, at)) {
                to.add(referenced);
            }
        }
    }

    private static String declaredPackage(String code, Path file) {
        int at = code.indexOf("package ");
        if (at < 0) {
            throw new IllegalStateException(file + " declares no package");
        }
        return code.substring(at + "package ".length(), code.indexOf(';', at)).trim();
    }

    private static boolean isPackageDeclaration(String code, int at) {
        int lineStart = code.lastIndexOf('\n', at) + 1;
        return code.substring(lineStart, at).trim().equals("package");
    }

    /** The leading lower-case segments of the qualified name starting at {@code at}. */
    private static String packageOf(String code, int at) {
        StringBuilder pkg = new StringBuilder();
        int i = at;
        while (i < code.length()) {
            int start = i;
            while (i < code.length() && Character.isJavaIdentifierPart(code.charAt(i))) {
                i++;
            }
            String segment = code.substring(start, i);
            if (segment.isEmpty() || !Character.isLowerCase(segment.charAt(0))) {
                break;
            }
            if (!pkg.isEmpty()) {
                pkg.append('.');
            }
            pkg.append(segment);
            if (i >= code.length() || code.charAt(i) != '.') {
                break;
            }
            i++;
        }
        return pkg.toString();
    }

    /** The source with comments, string literals, text blocks and char literals blanked out. */
    public static String codeOnly(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                while (end > 0 && source.charAt(end - 1) == '\\') {
                    end = source.indexOf("\"\"\"", end + 1);
                }
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && source.charAt(i) != c) {
                    i += source.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
