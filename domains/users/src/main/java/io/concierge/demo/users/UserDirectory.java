package io.concierge.demo.users;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The demo users and their password hashes. Read-only after construction, so the immutable maps
 * are safe to share between request threads.
 */
final class UserDirectory {
    private record Account(User user, PasswordHash password) {
    }

    /*
     * Checked against when the username is unknown, so that a wrong username costs as much time
     * as a wrong password and timing does not reveal which usernames exist.
     */
    private static final PasswordHash NO_ACCOUNT = PasswordHash.of("no-account");

    private final Map<String, User> byId;
    private final Map<String, Account> byUsername;

    private UserDirectory(Collection<Account> accounts) {
        this.byId = accounts.stream().map(Account::user)
                .collect(Collectors.toUnmodifiableMap(User::id, Function.identity()));
        this.byUsername = accounts.stream()
                .collect(Collectors.toUnmodifiableMap(account -> account.user().username(), Function.identity()));
    }

    /** The demo contract's users: alice and bob (customers) and admin. */
    static UserDirectory demo() {
        return new UserDirectory(List.of(
                new Account(new User("1", "alice", "Alice Anderson", "alice@example.com", List.of("customer")),
                        PasswordHash.of("alice-pw")),
                new Account(new User("2", "bob", "Bob Brown", "bob@example.com", List.of("customer")),
                        PasswordHash.of("bob-pw")),
                new Account(new User("3", "admin", "Ada Admin", "admin@example.com", List.of("admin")),
                        PasswordHash.of("admin-pw"))));
    }

    Optional<User> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** All users, ordered by id. */
    List<User> all() {
        return byId.values().stream().sorted(Comparator.comparing(User::id)).toList();
    }

    /** The user whose username and password match, or empty; never says which one was wrong. */
    Optional<User> authenticate(String username, String password) {
        Account account = byUsername.get(username);
        if (account == null) {
            NO_ACCOUNT.matches(password);
            return Optional.empty();
        }
        return account.password().matches(password) ? Optional.of(account.user()) : Optional.empty();
    }
}
