# Shared by the bench/ scripts: builds the benchmark module and finds a JDK 21+ to run it.
build_benchmarks() {
  # clean: JMH's generated benchmark list must not keep benchmarks that no longer exist.
  ./mvnw -B -ntp -P bench -pl sweet-async-benchmarks -am clean package -DskipTests > target-bench-build.log 2>&1 \
    || { cat target-bench-build.log; exit 1; }
  rm -f target-bench-build.log
}

java_bin=""
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
  [ -x "$candidate/bin/java" ] || continue
  major=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then java_bin="$candidate/bin/java"; break; fi
done
[ -n "$java_bin" ] || { echo "no JDK 21+ found (set JAVA_HOME to one)" >&2; exit 1; }
bench_cp="sweet-async-benchmarks/target/classes:sweet-async-benchmarks/target/lib/*"
