# The peer benchmark's five rules in Rego (benches/peer/peer.handoff is the original).
# input is one finished conversation; data.peer.decision lists which rules hold.
package peer

import rego.v1

customer := [m | some m in input.messages; m.role == "customer"]

bot := [m.text | some m in input.messages; m.role == "bot"]

default person_asked := false

person_asked if {
	count(customer) > 0
	regex.match(`(?i)\b(human|real person|agent|representative|someone)\b`, customer[count(customer) - 1].text)
}

default dispute := false

dispute if {
	some m in customer
	regex.match(`(?i)dispute|charge ?back|unauthori[sz]ed`, m.text)
}

default bot_repeats := false

bot_repeats if {
	some i, j
	bot[i] == bot[j]
	i < j
}

default bot_confused := false

bot_confused if count([t | some t in bot; contains(t, "didn't understand")]) >= 2

last_three := array.slice(customer, count(customer) - 3, count(customer))

default upset := false

upset if {
	count(last_three) > 0
	sum([object.get(m, "sentiment", 0) | some m in last_three]) / count(last_three) < -0.42
}

decision := [person_asked, dispute, bot_repeats, bot_confused, upset]
