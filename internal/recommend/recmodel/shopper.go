package recmodel

// shopper is what the model keeps of one user or guest session: the latest
// signals and the summed weight of each item, the factor model's input.
type shopper struct {
	hist []signal // oldest first, at most Options.History
	w    []itemWeight
}

// signal is an Event without its user, kept in a shopper's history.
type signal struct {
	Item  uint32
	Kind  Kind
	Value int8
	At    int64
}

// itemWeight is a shopper's summed weight for one item; negative when the
// shopper returned or disliked it.
type itemWeight struct {
	Item uint32
	W    float32
}

// shopper returns user's record, making it if new.
func (m *Model) shopper(user uint32) *shopper {
	if int(user) >= len(m.users) {
		n := int(user) + 1
		if n < 2*len(m.users) {
			n = 2 * len(m.users)
		}
		m.users = append(m.users, make([]*shopper, n-len(m.users))...)
	}
	u := m.users[user]
	if u == nil {
		u = &shopper{}
		m.users[user] = u
	}
	return u
}

// push appends e to the history, dropping the oldest beyond max.
func (u *shopper) push(e Event, max int) {
	if len(u.hist) >= max {
		copy(u.hist, u.hist[len(u.hist)-max+1:])
		u.hist = u.hist[:max-1]
	}
	u.hist = append(u.hist, signal{Item: e.Item, Kind: e.Kind, Value: e.Value, At: e.At})
}

// addWeight adds w to the shopper's weight of item, dropping the oldest
// item beyond max.
func (u *shopper) addWeight(item uint32, w float32, max int) {
	for i := range u.w {
		if u.w[i].Item == item {
			u.w[i].W += w
			return
		}
	}
	if len(u.w) >= max {
		copy(u.w, u.w[1:])
		u.w = u.w[:len(u.w)-1]
	}
	u.w = append(u.w, itemWeight{Item: item, W: w})
}
