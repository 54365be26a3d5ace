package io.sweetasync.hazelcast;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;

/** How members are named in views and messages: {@code host:port}. */
final class MemberNames {

    private MemberNames() {
    }

    static String of(Member member) {
        Address address = member.getAddress();
        return address.getHost() + ":" + address.getPort();
    }
}
