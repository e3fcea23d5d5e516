package io.concierge.demo.users;

import java.util.List;

/** A user as the service shows it: by construction it has no credential fields to leak. */
public record User(String id, String username, String name, String email, List<String> roles) {
    public User {
        roles = List.copyOf(roles);
    }
}
